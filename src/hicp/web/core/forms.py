"""Forms: the shape of what a browser sends, checked before anything reaches the core."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.core.files.uploadedfile import UploadedFile

from hicp.assessment.models import IN_PLACE, Answer, Status
from hicp.catalog import Tier, default_catalog
from hicp.reports.wording import ANSWER_LABELS, size_choice_label

TIER_LABELS: dict[Tier, str] = {
    Tier.SMALL: "Small: a practice or clinic, usually without its own IT staff",
    Tier.MEDIUM: "Medium: for example a community hospital with a small IT team",
    Tier.LARGE: "Large: for example a health system with a security team",
}
MAX_UPLOAD = 1024 * 1024  # assessment files are tens of kilobytes


class SignUpForm(UserCreationForm):  # type: ignore[type-arg]
    """A username and a password (checked by the password validators in settings)."""


class OrganizationForm(forms.Form):
    name = forms.CharField(
        label="Organization name", max_length=200, help_text="As your staff would recognise it."
    )


class AssessmentForm(forms.Form):
    name = forms.CharField(
        label="Name of this assessment",
        max_length=200,
        initial="Self-assessment",
        help_text="For example the year: “2026 self-assessment”.",
    )
    tier = forms.ChoiceField(
        label="Size of the organization",
        choices=[(tier.value, label) for tier, label in TIER_LABELS.items()],
        initial=Tier.SMALL.value,
        help_text="It decides which questions are asked. Not sure? Start with small.",
    )

    def tier_value(self) -> Tier:
        return Tier(self.cleaned_data["tier"])


class SizingForm(forms.Form):
    """HICP's sizing questions (data/catalog/sizing.yaml); any may be skipped, one is needed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in default_catalog().sizing.criteria:
            if criterion.kind == "count":
                self.fields[criterion.key] = forms.IntegerField(
                    label=criterion.question, required=False, min_value=0, max_value=10**7
                )
            else:
                self.fields[criterion.key] = forms.ChoiceField(
                    label=criterion.question,
                    required=False,
                    widget=forms.RadioSelect,
                    choices=[
                        (choice, size_choice_label(criterion.key, choice))
                        for choice in criterion.choices
                    ],
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and all(v in (None, "") for v in cleaned.values()):
            raise forms.ValidationError("Answer at least one question; skip any you cannot.")
        return cleaned

    def answers(self) -> dict[str, int | str]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ImportForm(forms.Form):
    name = forms.CharField(label="Name of this assessment", max_length=200)
    file = forms.FileField(
        label="Assessment file (.yaml)",
        help_text="A file made by `hicp init` or exported from here.",
    )

    def clean_file(self) -> str:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is larger than 1 MB; is it an assessment file?")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text. Save it as UTF-8 in your editor and try again."
            ) from None


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(choices=list(ANSWER_LABELS.items()))
    justification = forms.CharField(
        label="If it doesn't apply to you: why not?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for “Doesn't apply to us”: one sentence is enough.",
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Status.NOT_APPLICABLE and not data.get("justification"):
            self.add_error(
                "justification",
                "Say in a sentence why this doesn't apply to you, then choose "
                "“Doesn't apply to us” again. Nothing was saved.",
            )
        return data

    def changes(self, current: Answer) -> dict[str, Any]:
        """The fields to set on the answer; None removes one (as the CLI's questionnaire).

        Text that did not change is left out, so the stored YAML keeps its layout for it.
        """
        status = Status(self.cleaned_data["status"])
        changes: dict[str, Any] = {"status": status}
        notes = self.cleaned_data["notes"].replace("\r\n", "\n").strip() or None
        if notes != current.notes:
            changes["notes"] = notes
        justification = self.cleaned_data["justification"].strip() or None
        if status is Status.NOT_APPLICABLE and justification != current.justification:
            changes["justification"] = justification
        if status not in IN_PLACE:
            changes["in_place_since"] = None  # only implemented or partial items are in place
        return changes
