"""Two-step sign-in: TOTP enrolment with backup codes, the code after the password, and the gate.

The rules:
- A signed-in user with a confirmed device reaches no page but the code page and sign-out until
  they enter a code from it (SecondFactorMiddleware, installed after django-otp's OTPMiddleware).
- An owner or admin of any organization without a device reaches no page but enrolment and
  sign-out until they enrol.
- Six digits are checked against the authenticator app; anything else against the backup
  codes, each of which works once. Wrong codes are throttled per user and per address
  (throttle.py), sign-ins per username and per address.
"""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hicp.web.core import throttle
from hicp.web.core.models import Membership
from hicp.web.core.roles import Role
from hicp.web.server import DEMO_USERNAME

ISSUER = "hicp"
BACKUP_CODES = 10
MANAGER_ROLES = (Role.OWNER, Role.ADMIN)
ENROL, VERIFY, SIGN_OUT = "mfa-enrol", "mfa-verify", "logout"

WRONG_CODE = (
    "That code is not right. Enter the newest code from your authenticator app, "
    "or one of your backup codes."
)
TOO_SOON = "Wait a few seconds, then enter the newest code from your authenticator app."

User = AbstractBaseUser | AnonymousUser


def enrolment_required(user: User) -> bool:
    """Whether ``user`` must enrol before anything else: an owner or admin of any organization.

    HICP_MFA_ENFORCE_ENROLMENT (a Django setting) can switch the rule off; it is on unless
    set. Only the web tests' shared fixtures switch it off, to sign owners in without a device.
    """
    enforced = getattr(settings, "HICP_MFA_ENFORCE_ENROLMENT", True)
    if getattr(settings, "HICP_DEMO_NO_MFA", False) and user.get_username() == DEMO_USERNAME:
        # A newcomer trying the demo on their own machine should not need an authenticator
        # app first; `hicp serve --demo` allows this on loopback only, for this one user.
        return False
    return bool(enforced) and (
        Membership.objects.filter(user_id=user.pk, role__in=MANAGER_ROLES).exists()
    )


class SecondFactorMiddleware:
    """Send a signed-in user who still owes a code, or an enrolment, to the page for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr]
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name == SIGN_OUT:
            return None
        if user_has_device(user):
            return None if name == VERIFY else _send_to(request, VERIFY)
        if enrolment_required(user):
            return None if name == ENROL else _send_to(request, ENROL)
        return None


def _send_to(request: HttpRequest, name: str) -> HttpResponse:
    url = reverse(name)
    if request.method == "GET":
        url = f"{url}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _next_url(request: HttpRequest) -> str:
    """Where to go after this step: the ``next`` asked for if it is on this site, else home."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


# --- the password step -------------------------------------------------------------------------


class SignInForm(AuthenticationForm):
    """Django's sign-in form; while throttled it refuses without looking at the password."""

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        self.locked = bool(kwargs.pop("locked", False))
        super().__init__(request, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        if self.locked:
            raise ValidationError(throttle.SIGN_IN_LOCKED, code="locked")
        return super().clean()


class SignInView(LoginView):
    """Sign-in with throttling; a user with a device goes on to the code page."""

    template_name = "registration/sign_in.html"
    form_class = SignInForm
    gate: throttle.Gate | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            username = str(self.request.POST.get("username", ""))
            self.gate = throttle.sign_in_gate(self.request, username)
            kwargs["locked"] = self.gate.locked()
        return kwargs

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "locked"):
            response.status_code = 429
        elif self.gate is not None and any(
            form.has_error(NON_FIELD_ERRORS, code) for code in ("invalid_login", "inactive")
        ):
            self.gate.fail()
        return response

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        if self.gate is not None:
            self.gate.succeeded()
        response = super().form_valid(form)
        if user_has_device(form.get_user()):
            query = urlencode({REDIRECT_FIELD_NAME: self.get_success_url()})
            return redirect(f"{reverse(VERIFY)}?{query}")
        return response


# --- codes -------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label


@dataclass(frozen=True)
class _Outcome:
    device: Device | None = None
    too_soon: bool = False


def _normalised(code: str) -> str:
    """Codes as people type them: spaces and dashes dropped, letters in lower case."""
    return "".join(code.split()).replace("-", "").lower()


def _devices_for(user: User, code: str) -> list[Device]:
    """The confirmed devices that could have made ``code``: six digits come from the app."""
    model = TOTPDevice if len(code) == 6 and code.isdigit() else StaticDevice
    return list(model.objects.devices_for_user(user, confirmed=True).select_for_update())


def _try(devices: list[Device], code: str) -> _Outcome:
    """Whether one of ``devices`` (locked by the caller's transaction) accepts ``code``.

    A device in django-otp's own back-off (1, 2, 4 … seconds after a wrong code) refuses even
    the right code, so that case is told apart and not counted as a wrong code.
    """
    ready = [device for device in devices if device.verify_is_allowed()[0]]
    if devices and not ready:
        return _Outcome(too_soon=True)
    for device in ready:
        if device.verify_token(code):
            return _Outcome(device=device)
    return _Outcome()


def _check_submitted(
    request: HttpRequest, form: CodeForm, candidates: Callable[[str], list[Device]]
) -> tuple[Device | None, int]:
    """Run a submitted code past the throttle, then the devices; a refusal is on the form."""
    gate = throttle.code_gate(request, request.user)  # type: ignore[arg-type]
    if gate.locked():
        form.add_error(None, throttle.CODES_LOCKED)
        return None, 429
    if not form.is_valid():
        return None, 422
    code = _normalised(form.cleaned_data["code"])
    with transaction.atomic():
        outcome = _try(candidates(code), code)
    if outcome.device is not None:
        gate.succeeded()
        return outcome.device, 200
    if outcome.too_soon:
        form.add_error("code", TOO_SOON)
        return None, 429
    gate.fail()
    form.add_error("code", WRONG_CODE)
    return None, 422


def _mark_verified(request: HttpRequest, device: Device) -> None:
    request.session.cycle_key()  # a new session id for the more trusted session
    otp_login(request, device)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a backup code."""
    next_url = _next_url(request)
    user = request.user
    if user.is_verified() or not user_has_device(user):  # type: ignore[union-attr]
        return redirect(next_url)
    form = CodeForm(request.POST or None, label="Code from your authenticator app")
    status = 200
    if request.method == "POST":
        device, status = _check_submitted(request, form, lambda code: _devices_for(user, code))
        if device is not None:
            _mark_verified(request, device)
            return redirect(next_url)
    return render(request, "mfa/verify.html", {"form": form, "next": next_url}, status=status)


# --- enrolment ---------------------------------------------------------------------------------


def otpauth_url(device: TOTPDevice) -> str:
    """The key URI authenticator apps read (Key Uri Format), with hicp as the issuer."""
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    params = {
        "secret": b32encode(device.bin_key).decode(),
        "issuer": ISSUER,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    return f"otpauth://totp/{label}?{urlencode(params, quote_via=quote)}"


def qr_svg(data: str) -> SafeString:
    """``data`` as a QR code in inline SVG: drawn here, so no request leaves the page."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=12)
    svg = image.to_string(encoding="unicode")
    svg = svg.replace("<svg ", '<svg role="img" aria-label="QR code of your setup key" ', 1)
    # The markup is qrcode's own; the URI (with the username) only decides which squares are
    # filled, so no user text reaches the page unescaped.
    return mark_safe(svg)  # noqa: S308


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _pending_device(user: User) -> TOTPDevice:
    """The user's unconfirmed device, made on first visit, so a reload shows the same key."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(
        user_id=user.pk, name="Authenticator app", confirmed=False
    )


@transaction.atomic
def _confirm(user: User, device: TOTPDevice) -> list[str]:
    """Confirm ``device`` and replace the backup codes; returns the new codes (shown once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
    StaticDevice.objects.filter(user_id=user.pk).delete()
    backup = StaticDevice.objects.create(user_id=user.pk, name="Backup codes", confirmed=True)
    codes: set[str] = set()
    while len(codes) < BACKUP_CODES:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return sorted(codes)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: key as QR code and text, confirmed with a code from it."""
    user = request.user
    next_url = _next_url(request)
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        left = StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True)
        return render(request, "mfa/enrolled.html", {"backup_codes_left": left.count()})
    device = _pending_device(user)
    form = CodeForm(request.POST or None, label="The 6-digit code your app shows now")
    form.fields["code"].widget.attrs["inputmode"] = "numeric"
    status = 200
    if request.method == "POST":
        confirmed, status = _check_submitted(
            request,
            form,
            lambda _code: list(
                TOTPDevice.objects.filter(pk=device.pk, confirmed=False).select_for_update()
            ),
        )
        if isinstance(confirmed, TOTPDevice):
            codes = _confirm(user, confirmed)
            _mark_verified(request, confirmed)
            return render(request, "mfa/backup_codes.html", {"codes": codes, "next": next_url})
    url = otpauth_url(device)
    context = {
        "form": form,
        "next": next_url,
        "required": enrolment_required(user),
        "secret": _grouped(b32encode(device.bin_key).decode()),
        "otpauth_url": url,
        "qr_svg": qr_svg(url),
    }
    return render(request, "mfa/enrol.html", context, status=status)
