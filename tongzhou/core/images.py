"""Photos people upload (a story's pictures, a condolence visit): the type read from the bytes, a
size limit, and the picture drawn again from its pixels so that a phone's EXIF (GPS position,
device, time) is gone."""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}


def photo_kind(upload: UploadedFile, *, field: str = "image") -> tuple[str, str]:
    """(extension, content type) of a JPEG, PNG or WebP photo of at most 5 MB, read from its
    bytes (never from its name or the browser's word); else a ValidationError on `field`."""
    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({field: _("A photo may be at most 5 MB.")})
    try:
        with Image.open(upload) as image:
            image.verify()
            kind = image.format or ""
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError({field: _("This is not a JPEG, PNG or WebP photo.")}) from None
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError({field: _("This is not a JPEG, PNG or WebP photo.")})
    return PHOTO_FORMATS[kind]


def without_metadata(upload: UploadedFile) -> ContentFile:
    """The photo drawn again from its pixels only: a phone's EXIF (GPS position, device, time)
    would tell a viewer where the photographer or the people in it live. The orientation the
    EXIF asked for is applied first, so the picture still stands the right way up."""
    with Image.open(upload) as image:
        kind = image.format or "JPEG"
        upright = ImageOps.exif_transpose(image)
        if kind == "JPEG" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        out = BytesIO()
        upright.save(out, format=kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {}))
    upload.seek(0)
    return ContentFile(out.getvalue())
