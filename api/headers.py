"""Security headers on every response; a content security policy on the pages people open."""

# The owner pages run no script at all; the simulator is one page with its own inline script.
OWNER_POLICY = ("default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
PAGE_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
               "base-uri 'none'; object-src 'none'")
POLICIES = (("/owner", OWNER_POLICY), ("/simulator", PAGE_POLICY), ("/pay", PAGE_POLICY),
            ("/stripe/return", PAGE_POLICY))


class SecurityHeaders:
    """ASGI middleware. HSTS only when the public URL is https: on plain http it would be ignored or,
    worse, pin a development host."""

    def __init__(self, app, *, https: bool) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        policy = next((p for prefix, p in POLICIES if path == prefix or path.startswith(prefix + "/")), None)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                           (b"referrer-policy", b"same-origin")]
                if policy:
                    headers.append((b"content-security-policy", policy.encode()))
                if self.https:
                    headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
