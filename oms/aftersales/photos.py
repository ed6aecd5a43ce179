"""Photos on after-sales requests: only real images, within the size and count limits, kept under MEDIA_ROOT.

The type is decided from the file's bytes (magic numbers, then Pillow opens it), never from the
name or the Content-Type the client sent. Files are served only by views that check permissions.
"""

from __future__ import annotations

import io
import re
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import RECEIVE_RETURNS, REQUEST_AFTER_SALES, VIEW_ORDERS
from oms.aftersales.errors import InvalidPhoto, PhotoNotFound, TooManyPhotos
from oms.aftersales.models import AfterSalesAttachment, AfterSalesRequest, AttachmentKind
from oms.audit.services import record

# Magic numbers → (content type, extension, Pillow format name).
SIGNATURES = (
    (b"\xff\xd8\xff", ("image/jpeg", "jpg", "JPEG")),
    (b"\x89PNG\r\n\x1a\n", ("image/png", "png", "PNG")),
    (b"GIF87a", ("image/gif", "gif", "GIF")),
    (b"GIF89a", ("image/gif", "gif", "GIF")),
)


def max_photos() -> int:
    return int(getattr(settings, "OMS_AFTER_SALES_MAX_PHOTOS", 9))


def max_photo_bytes() -> int:
    return int(getattr(settings, "OMS_AFTER_SALES_MAX_PHOTO_BYTES", 5 * 1024 * 1024))


def sniff(head: bytes) -> tuple[str, str, str] | None:
    """(content type, extension, Pillow format) from the first bytes, or None for anything else."""
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ("image/webp", "webp", "WEBP")
    return None


def read_photo(upload, *, name: str = "photos") -> tuple[bytes, str, str]:
    """The bytes, content type and extension of an uploaded image; InvalidPhoto naming the file otherwise."""
    label = getattr(upload, "name", "") or name
    size = getattr(upload, "size", None)
    limit = max_photo_bytes()
    if size is not None and size > limit:
        raise InvalidPhoto(_("%(file)s is larger than %(max)s bytes.") % {"file": label, "max": limit},
                           details={name: [label], "max_bytes": limit})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidPhoto(_("%(file)s is larger than %(max)s bytes.") % {"file": label, "max": limit},
                           details={name: [label], "max_bytes": limit})
    kind = sniff(data[:16])
    if kind is None or not _opens(data, kind[2]):
        raise InvalidPhoto(_("%(file)s is not a JPEG, PNG, GIF or WebP image.") % {"file": label},
                           details={name: [label]})
    return data, kind[0], kind[1]


def _opens(data: bytes, fmt: str) -> bool:
    try:
        from PIL import Image
    except ImportError:  # magic numbers alone then
        return True
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format == fmt
    except Exception:  # Pillow raises many kinds for broken files; all mean "not an image"
        return False


def check_count(request: AfterSalesRequest, adding: int) -> None:
    have = AfterSalesAttachment.objects.filter(request=request).count()
    if have + adding > max_photos():
        raise TooManyPhotos(details={"photos": [_("At most %(n)s photos per request.") % {"n": max_photos()}],
                                     "max": max_photos(), "have": have})


def validated(uploads: list) -> list[tuple[bytes, str, str]]:
    """Read and check every upload before anything is stored, so a bad file stores none."""
    if len(uploads) > max_photos():
        raise TooManyPhotos(details={"photos": [_("At most %(n)s photos per request.") % {"n": max_photos()}],
                                     "max": max_photos()})
    return [read_photo(u) for u in uploads]


def store(request: AfterSalesRequest, photos: list[tuple[bytes, str, str]], *, kind: str,
          actor: Actor) -> list[AfterSalesAttachment]:
    """Save checked photos on the request (inside the caller's transaction)."""
    check_count(request, len(photos))
    saved = []
    for data, content_type, ext in photos:
        attachment = AfterSalesAttachment(request=request, kind=kind, content_type=content_type, size=len(data),
                                          uploaded_by_id=actor.user_id)
        attachment.file.save(f"{request.number}-{uuid.uuid4().hex[:12]}.{ext}", ContentFile(data), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


@transaction.atomic
def add_photos(*, number: str, uploads: list, actor: Actor, kind: str = AttachmentKind.BUYER) -> list:
    """Attach the buyer's photos (customer service, channels) or inspection photos (warehouse) to a request."""
    require(actor, RECEIVE_RETURNS if kind == AttachmentKind.INSPECTION else REQUEST_AFTER_SALES)
    if kind not in AttachmentKind.values:
        raise InvalidPhoto(details={"kind": [", ".join(AttachmentKind.values)]})
    if not uploads:
        raise InvalidPhoto(_("Send at least one photo."), details={"photos": ["required"]})
    photos = validated(uploads)
    from oms.aftersales.requests import lock_request  # here: requests imports this module

    # The order first, like every after-sales write; a channel client only for its own channels.
    request = lock_request(number, actor)
    saved = store(request, photos, kind=kind, actor=actor)
    record(request.order, "after_sales_photos_added", actor=actor,
           data={"request": request.number, "kind": kind, "photos": len(saved)})
    return saved


def photo(*, number: str, photo_id: int | str, actor: Actor) -> AfterSalesAttachment:
    """One photo of a request, for people who may see the order."""
    require(actor, VIEW_ORDERS)
    if not re.fullmatch(r"[0-9]+", str(photo_id)):  # not isdigit(): "²" is a digit int() refuses
        raise PhotoNotFound(details={"number": number, "photo": str(photo_id)})
    found = AfterSalesAttachment.objects.filter(pk=int(photo_id), request__number=number).first()
    if found is None:
        raise PhotoNotFound(details={"number": number, "photo": photo_id})
    return found
