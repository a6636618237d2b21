"""Auth endpoints: token (login), refresh (rotation), logout, me. Thin callers of services."""

from __future__ import annotations

from typing import NoReturn, cast

from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken

from accounts.audit import FAILED, SUCCEEDED, THROTTLED, login_audit
from accounts.models import ApiKey, User
from accounts.serializers import (
    LoginInputSerializer,
    MeOutputSerializer,
    RefreshInputSerializer,
    TokenPairOutputSerializer,
)
from accounts.services import (
    AuthenticationError,
    IssuedTokens,
    auth_login,
    refresh_token_revoke_family,
    refresh_token_rotate,
)
from accounts.throttles import (
    LoginEmailThrottle,
    LoginIPThrottle,
    RefreshThrottle,
    submitted_email,
)

ERROR_RESPONSE = OpenApiResponse(description='JSON error: {"error": {code, message, details}}.')


def _token_pair(issued: IssuedTokens) -> dict:
    return TokenPairOutputSerializer(
        {
            "token_type": "Bearer",
            "access": issued.access,
            "access_expires_at": issued.access_expires_at,
            "refresh": issued.refresh,
            "refresh_expires_at": issued.refresh_expires_at,
        }
    ).data


def _user_agent(request: Request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:512]


class CredentialsInBodyApi(APIView):
    """Endpoints whose credentials are in the body: no header authentication runs (a
    stale Authorization header must not block a login), yet a refusal stays a 401."""

    authentication_classes: list = []

    def get_authenticate_header(self, request: Request) -> str:
        # Without an authentication class DRF would turn 401 into 403.
        return 'Bearer realm="api"'


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class TokenObtainApi(CredentialsInBodyApi):
    permission_classes = [AllowAny]
    throttle_classes = [LoginIPThrottle, LoginEmailThrottle]

    @extend_schema(
        operation_id="auth_token",
        tags=["auth"],
        auth=[],
        request=LoginInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: ERROR_RESPONSE,
            401: OpenApiResponse(description="Unknown email, wrong password or inactive user."),
            429: ERROR_RESPONSE,
        },
        summary="Log in: email + password -> access JWT + opaque refresh token",
    )
    def post(self, request: Request) -> Response:
        data = LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"]
        try:
            issued = auth_login(**data.validated_data, user_agent=_user_agent(request))
        except AuthenticationError as exc:
            login_audit(request, channel="api", outcome=FAILED, email=email)
            raise exceptions.AuthenticationFailed(str(exc)) from None
        login_audit(request, channel="api", outcome=SUCCEEDED, email=email, user_id=issued.user.pk)
        return Response(_token_pair(issued))

    def throttled(self, request: Request, wait: float) -> NoReturn:
        # The email throttle read the body already (a body that failed to parse is empty).
        login_audit(request, channel="api", outcome=THROTTLED, email=submitted_email(request))
        super().throttled(request, wait)


class TokenRefreshApi(CredentialsInBodyApi):
    permission_classes = [AllowAny]
    throttle_classes = [RefreshThrottle]

    @extend_schema(
        operation_id="auth_refresh",
        tags=["auth"],
        auth=[],
        request=RefreshInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: ERROR_RESPONSE,
            401: OpenApiResponse(
                description="Unknown, expired or revoked token. Presenting a revoked token "
                "again revokes every token of its session — except a repeat within "
                "REFRESH_TOKEN_REUSE_GRACE_SECONDS of its rotation, which answers 200 with "
                "the same refresh token as the first answer."
            ),
            429: ERROR_RESPONSE,
        },
        summary="Rotate a refresh token: the presented one is revoked, a new pair returned",
    )
    def post(self, request: Request) -> Response:
        data = RefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            issued = refresh_token_rotate(
                secret=data.validated_data["refresh"], user_agent=_user_agent(request)
            )
        except AuthenticationError as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        return Response(_token_pair(issued))


class LogoutApi(CredentialsInBodyApi):
    permission_classes = [AllowAny]
    throttle_classes = [RefreshThrottle]

    @extend_schema(
        operation_id="auth_logout",
        tags=["auth"],
        auth=[],
        request=RefreshInputSerializer,
        responses={204: None, 400: ERROR_RESPONSE, 429: ERROR_RESPONSE},
        summary="Log out: revoke every refresh token of the session",
        description="Idempotent: an unknown or already revoked token also answers 204. "
        "Access tokens already issued stay valid until they expire (minutes).",
    )
    def post(self, request: Request) -> Response:
        data = RefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refresh_token_revoke_family(secret=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_me",
        tags=["auth"],
        responses={200: MeOutputSerializer, 401: ERROR_RESPONSE, 429: ERROR_RESPONSE},
        summary="The authenticated user, and how the request was authenticated",
    )
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)  # IsAuthenticated
        if isinstance(request.auth, ApiKey):
            method, scope = "api_key", request.auth.api_key_scope
        elif isinstance(request.auth, AccessToken):
            method, scope = "jwt", None
        else:
            method, scope = "session", None
        return Response(
            MeOutputSerializer(
                {
                    "id": user.pk,
                    "email": user.email,
                    "is_admin": user.is_admin,
                    "created_at": user.created_at,
                    "auth_method": method,
                    "api_key_scope": scope,
                }
            ).data
        )
