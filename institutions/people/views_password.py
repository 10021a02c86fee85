"""Password reset by e-mail (Django's views, Korean templates, rate-limited).

The "sent" page is the same whether or not the address belongs to anyone, and the limit is
counted per address and per client IP whether or not the address exists, so neither the page
nor the limit tells who has an account.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from . import ratelimit
from .common import client_ip
from .forms import PasswordResetRequestForm


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        limit, window = settings.PASSWORD_RESET_RATE_LIMIT
        email = form.cleaned_data["email"]
        allowed = ratelimit.hit("reset-ip", client_ip(self.request), limit=limit * 4, window=window)
        allowed = ratelimit.hit("reset-email", email, limit=limit, window=window) and allowed
        if not allowed:
            form.add_error(
                None,
                _("비밀번호 재설정 요청이 너무 많습니다. %(minutes)d분 뒤에 다시 시도하십시오.")
                % {"minutes": window // 60},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
