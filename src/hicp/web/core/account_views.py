"""The signed-in user's own API tokens: list, make one (shown once), revoke.

Tokens belong to a user, not to an organization, so making or revoking one is not written to
any organization's activity log (an audit entry needs an organization). The token list keeps
its own history instead: when each token was made, last used and revoked.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hicp.web.core.api_auth import SCHEME, create_api_token, revoke_api_token
from hicp.web.core.member_forms import ApiTokenForm
from hicp.web.core.models import ApiToken


@never_cache  # the page shows a new token once; no cache may keep a copy
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    new_token: str | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _, new_token = create_api_token(request.user, form.cleaned_data["name"])
            form = ApiTokenForm()
        else:
            status = 422
    return render(
        request,
        "account/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user_id=request.user.pk),
            "scheme": SCHEME,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens (GET asks to confirm); anyone else's is a 404."""
    token = ApiToken.objects.filter(pk=token_id, user_id=request.user.pk).first()
    if token is None:
        raise Http404("No such token among yours.")
    if request.method == "POST":
        if revoke_api_token(request.user, token.pk):
            messages.success(
                request, f"The token “{token.name}” is revoked: programs using it are refused now."
            )
        else:
            messages.info(request, f"The token “{token.name}” was already revoked.")
        return redirect("api-tokens")
    return render(request, "account/token_revoke.html", {"token": token, "scheme": SCHEME})
