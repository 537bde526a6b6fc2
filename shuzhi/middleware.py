"""Headers every response carries: what a page may load, and that what a logged-in user sees is never stored."""
from django.utils.cache import patch_cache_control

# Everything the pages use is served from here (the admin's scripts, the dashboard's charts drawn in CSS and SVG,
# the fonts): nothing from outside. Inline style attributes draw the dashboard's bars; there is no inline script.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # The dashboard, the reports, every export and attachment: personal data, in no browser's or proxy's
            # cache (a shared office computer keeps nothing after the logout).
            patch_cache_control(response, no_store=True, private=True)
        return response

