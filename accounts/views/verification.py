"""Organizer identity verification endpoints V1-V5 (CONTRACT.md §3)."""

import mimetypes

from django.contrib.auth import get_user_model
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts import selectors
from accounts.serializers.verification import IdDocumentSerializer, SelfieSerializer
from accounts.services import verification as services
from cafa.api.exceptions import SuccessFlagMixin
from cafa.api.parsing import is_ascii_digits

FILE_KINDS = {"id_document", "selfie_image"}


def _answer(request, user, message, **data):
    state = selectors.verification_state(user, request)
    return Response({"success": True, "message": message, "data": {**state, **data}})


class VerificationStatusView(SuccessFlagMixin, generics.GenericAPIView):
    """V1."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        state = selectors.verification_state(request.user, request)
        return Response({"success": True, "message": "Verification status retrieved", "data": state})


class UploadIdDocumentView(SuccessFlagMixin, generics.GenericAPIView):
    """V2: multipart `id_document`."""

    serializer_class = IdDocumentSerializer

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.upload_id_document(user=request.user, document=serializer.validated_data["id_document"])
        state = selectors.verification_state(user, request)
        data = {"verification_status": user.verification_status, "id_document_url": state["id_document"]}
        return Response(
            {
                "success": True,
                "message": "ID document uploaded successfully",
                "data": {**data, "next_step": state["next_step"]},
            }
        )


class UploadSelfieView(SuccessFlagMixin, generics.GenericAPIView):
    """V3: multipart `selfie_image`; never downgrades a verified organizer."""

    serializer_class = SelfieSerializer

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, preserved = services.upload_selfie(user=request.user, selfie=serializer.validated_data["selfie_image"])
        if preserved:
            return _answer(request, user, "Selfie received.", organizer_status_preserved=True)
        if user.verification_status == "verified":
            return _answer(request, user, "Your identity is verified. You can now create events.")
        return _answer(request, user, "Your verification is under review.")


class RetryVerificationView(SuccessFlagMixin, generics.GenericAPIView):
    """V4: only after a rejection."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        user = services.retry_verification(user=request.user)
        return _answer(request, user, "You can upload your documents again.")


class VerificationFileView(generics.GenericAPIView):
    """V5: the owner's own file, or any user's for staff (`?user_id=`); everyone else gets 404."""

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request, kind):
        owner = request.user
        user_id = request.query_params.get("user_id", "")
        if request.user.is_staff and is_ascii_digits(user_id):
            owner = get_user_model().objects.filter(pk=int(user_id)).first()
        document = getattr(owner, kind, None) if kind in FILE_KINDS and owner else None
        if not document:
            raise NotFound("File not found.")
        content_type = mimetypes.guess_type(document.name)[0] or "application/octet-stream"
        return FileResponse(document.open("rb"), content_type=content_type)
