"""The user's own profile (language, API tokens)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .forms import LanguageForm, TokenForm
from .models import ApiToken
from .permissions import DELETE, get_for, restrict


@login_required
@never_cache  # the page may show a new token: kept by no cache, and never as a stored answer (core.idempotency)
def profile(request):
    language_form = LanguageForm(instance=request.user)
    token_form = TokenForm()
    new_token = None
    if request.method == "POST":
        if "language" in request.POST:
            language_form = LanguageForm(request.POST, instance=request.user)
            if language_form.is_valid():
                language_form.save()
                language = request.user.language
                with translation.override(language):
                    messages.success(request, _("The language is now %(language)s.") % {
                        "language": str(dict(settings.LANGUAGES).get(language, language))})
                back = request.POST.get("next", "")
                if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                       require_https=request.is_secure()):
                    back = reverse("profile")
                response = redirect(back)
                response.set_cookie("django_language", language, samesite="Lax")
                return response
        else:
            token_form = TokenForm(request.POST)
            if token_form.is_valid():
                _token, new_token = ApiToken.issue(request.user, token_form.cleaned_data["name"])
                messages.success(request, _("Token created. Copy it now: it will not be shown again."))
                token_form = TokenForm()
    return render(request, "core/profile.html", {
        "language_form": language_form,
        "token_form": token_form,
        "new_token": new_token,
        "tokens": restrict(ApiToken.objects.all(), request.user),
    })


@login_required
@require_POST
def revoke_token(request, pk):
    token = get_for(ApiToken.objects.all(), request.user, pk, DELETE)
    token.delete()
    messages.success(request, _("Token revoked."))
    return redirect("profile")
