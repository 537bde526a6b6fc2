"""The address a login attempt came from, for the lock-out."""
from django.conf import settings


def ip_address(request):
    """REMOTE_ADDR; behind our one reverse proxy, the address that proxy saw (the last in X-Forwarded-For).

    Only the last entry is the proxy's own word: anything before it was sent by the client and could be forged.
    """
    if settings.SHUZHI_BEHIND_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
