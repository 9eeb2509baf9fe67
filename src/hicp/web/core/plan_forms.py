"""Forms for the action plan's tracking, question assignments, comments and the plan's filters."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from hicp.web.core.plan_models import ActionItem
from hicp.web.core.plan_selectors import person_name

MAX_COMMENT = 5000


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A select of people, named as pages name them."""

    def label_from_instance(self, obj: Any) -> str:
        return person_name(obj)


class ActionItemForm(forms.Form):
    """Owner, due date and status of one plan item; only the fields the person may change.

    ``fields`` names those (see plan_services.editable_fields); the version is always sent.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    owner = PersonChoiceField(
        label="Who does it",
        queryset=None,
        required=False,
        empty_label="Nobody yet",
        error_messages={
            "invalid_choice": "Choose someone from the list: that person cannot be given work "
            "here. Nothing was saved."
        },
    )
    due_date = forms.DateField(
        label="Due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": "Write the due date as a date, like 2026-03-31. Nothing was saved."
        },
    )
    status = forms.ChoiceField(label="Status", choices=ActionItem.Status.choices)

    def __init__(
        self,
        *args: Any,
        people: QuerySet[AbstractBaseUser],
        fields: Collection[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["owner"]).queryset = people
        for name in ("owner", "due_date", "status"):
            if name not in fields:
                del self.fields[name]

    def wanted(self) -> dict[str, Any]:
        """The tracking fields as sent (the version apart)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone in the organization who can see this assessment can read it. "
        "Comments cannot be changed once posted.",
        error_messages={
            "required": "Write something before posting. Nothing was posted.",
            "max_length": "A comment can be at most %(limit_value)d characters; this one has "
            "%(show_value)d. Nothing was posted.",
        },
    )

    def clean_body(self) -> str:
        return str(self.cleaned_data["body"]).replace("\r\n", "\n")


class AssignmentForm(forms.Form):
    user = PersonChoiceField(
        label="Assigned to",
        queryset=None,
        required=False,
        empty_label="Nobody (anyone who may answer can)",
        error_messages={
            "invalid_choice": "Choose someone from the list: that person cannot "
            "be given work here. Nothing was saved."
        },
    )

    def __init__(self, *args: Any, people: QuerySet[AbstractBaseUser], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["user"]).queryset = people


STATUS_FILTERS = [
    ("", "Any status"),
    ("open", "Not done yet"),
    ("overdue", "Overdue"),
    *ActionItem.Status.choices,
]
OWNER_FILTERS = [("", "Everyone"), ("mine", "Given to me"), ("nobody", "Not given to anyone")]


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=STATUS_FILTERS, required=False)
    owner = forms.ChoiceField(label="Who does it", choices=OWNER_FILTERS, required=False)
