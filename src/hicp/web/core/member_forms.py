"""Forms of the member, invitation, activity-log and API-token pages, and the roles explained."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib.auth.models import User

from hicp.web.core.forms import SignUpForm
from hicp.web.core.roles import Role

# One plain sentence per role, shown on the members page and next to every role choice.
ROLE_HELP: dict[Role, str] = {
    Role.VIEWER: "Can read everything but change nothing. Suits auditors and board members.",
    Role.CONTRIBUTOR: "Answers only the questions assigned to them.",
    Role.ASSESSOR: "Runs assessments: starts, imports and exports them and answers any question.",
    Role.ADMIN: "Does what an assessor does and manages people: invites them and sets roles.",
    Role.OWNER: "Can do everything, including making other people owners.",
}


def role_choices(roles: Iterable[Role]) -> list[tuple[str, str]]:
    """Choices for a role field, most trusted first, as on the page."""
    return [(role.value, role.label) for role in sorted(roles, key=lambda r: -r.rank)]


class _RoleField(forms.ChoiceField):
    def __init__(self, grantable: Sequence[Role], **kwargs: Any) -> None:
        super().__init__(
            choices=role_choices(grantable),
            error_messages={
                "invalid_choice": (
                    "You cannot give the role “%(value)s”. "
                    + (
                        "Only an owner can make someone an owner."
                        if Role.OWNER not in grantable
                        else "Choose one of the roles in the list."
                    )
                )
            },
            **kwargs,
        )


class InvitationForm(forms.Form):
    """Whom to invite and with which role; ``grantable`` holds the roles the inviter may give."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="The invitation link is for this person only.",
    )

    def __init__(self, *args: Any, grantable: Sequence[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"] = _RoleField(
            grantable,
            label="Role",
            initial=Role.VIEWER.value,
            help_text="What they may do here; the roles are explained above.",
        )

    def role(self) -> Role:
        return Role(self.cleaned_data["role"])


class RoleForm(forms.Form):
    """A member's new role; ``grantable`` holds the roles the person changing it may give."""

    def __init__(self, *args: Any, grantable: Sequence[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"] = _RoleField(grantable, label="New role")

    def role(self) -> Role:
        return Role(self.cleaned_data["role"])


class InvitationSignUpForm(SignUpForm):
    """Sign-up on an invitation page: the e-mail address is filled in from the invitation."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="Filled in from the invitation; change it if you use another address.",
    )

    class Meta(SignUpForm.Meta):
        model = User
        fields = ("username", "email")


class ActivityFilterForm(forms.Form):
    """The activity log's filters; the choices are what this organization's log holds."""

    kind = forms.ChoiceField(
        label="What changed",
        required=False,
        error_messages={
            "invalid_choice": "“%(value)s” is not a kind of change in this log; choose one."
        },
    )
    person = forms.ChoiceField(
        label="Who made the change",
        required=False,
        error_messages={
            "invalid_choice": "Nobody with this number made changes here; choose from the list."
        },
    )

    def __init__(
        self,
        *args: Any,
        kinds: Sequence[tuple[str, str]],
        people: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Everything"), *kinds]
        self.fields["person"].choices = [("", "Everyone"), *((str(k), v) for k, v in people)]

    def filters(self) -> tuple[str | None, int | None]:
        """The kind of object and the person's user id to filter by (None: no filter)."""
        person = self.cleaned_data.get("person")
        return self.cleaned_data.get("kind") or None, int(person) if person else None


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name of the new token",
        max_length=100,
        help_text="What will use it, so you know later which token to revoke: "
        "for example “nightly export script”.",
    )
