"""Turn an uploaded file into a safe photo: decoded in full, EXIF (GPS above all) and
every other metadata dropped, orientation applied, at most 2048 px on the longest side,
re-encoded as JPEG from its pixels alone (no comment, no text chunk, no profile), with a
thumbnail. Free of Flask.

Anything that is not a whole JPEG, PNG, WebP or HEIC image — a truncated file, a
decompression bomb, a file whose extension says another format — raises BadImage with a
sentence a resident can act on.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 2048
THUMB_SIDE = 320
# 40 megapixels: more than any phone camera; a bomb declares far more than that.
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 85

# Format Pillow detects -> the file extensions that may carry it.
FORMATS = {
    "JPEG": {"jpg", "jpeg", "jpe", "jfif"},
    "PNG": {"png"},
    "WEBP": {"webp"},
    "HEIF": {"heic", "heif"},
}
ALLOWED = ", ".join(sorted({"JPEG", "PNG", "WebP", "HEIC"}))


class BadImage(Exception):
    """The upload is not an acceptable photo; `kind` names the problem for the API."""

    def __init__(self, detail: str, kind: str = "invalid-photo", status: int = 422):
        super().__init__(detail)
        self.detail, self.kind, self.status = detail, kind, status


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    thumbnail: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


_heif_ready = False


def _enable_heif() -> bool:
    """Teach Pillow HEIC/HEIF through pillow-heif, once, if it is installed."""
    global _heif_ready
    if not _heif_ready:
        try:
            from pillow_heif import register_heif_opener
        except ImportError:
            return False
        register_heif_opener()
        _heif_ready = True
    return True


def _extension(filename: str | None) -> str | None:
    if not filename or "." not in filename:
        return None
    return filename.rsplit(".", 1)[1].lower()


def _encode(image: Image.Image, side: int) -> tuple[bytes, int, int]:
    image = image.copy()
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif=, no icc_profile=, no comment: nothing but pixels leaves.
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), image.width, image.height


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; transparency becomes white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding these pixels and nothing else. Pillow carries what it read
    beside the pixels in `image.info` (a JPEG COM segment, a PNG's tEXt/zTXt/iTXt
    chunks, ICC, DPI...), and its JPEG writer copies `info["comment"]` into what it
    saves: a text a resident's phone or an attacker put there (a name, a number)
    would be served with the photo and its thumbnail."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def clean_photo(data: bytes, filename: str | None = None) -> CleanPhoto:
    """Decode `data` completely and return it re-encoded, or raise BadImage."""
    formats = ["JPEG", "PNG", "WEBP"] + (["HEIF"] if _enable_heif() else [])
    extension = _extension(filename)
    known = set().union(*(FORMATS[f] for f in formats))
    if extension is not None and extension not in known:
        raise BadImage(
            f"Files ending in .{extension} are not accepted; send a photo ({ALLOWED}).",
            "unsupported-photo-type",
            415,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=formats)
            if image.width * image.height > MAX_PIXELS:
                raise BadImage(
                    f"The image declares {image.width}×{image.height} pixels; at most "
                    f"{MAX_PIXELS // 1_000_000} megapixels are accepted.",
                    "photo-too-many-pixels",
                )
            if extension is not None and extension not in FORMATS[image.format]:
                raise BadImage(
                    f"The file is named .{extension} but holds a {image.format} image; "
                    "rename it or send it as it came from the camera.",
                    "photo-extension-mismatch",
                )
            image.load()
            image = ImageOps.exif_transpose(image)
            pixels = _pixels_only(_flatten(image))
    except BadImage:
        raise
    except UnidentifiedImageError:
        raise BadImage(
            f"This file is not an image casa311 can read; send a photo ({ALLOWED}).",
            "unsupported-photo-type",
            415,
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage(
            "The image declares far too many pixels to be a photo.", "photo-too-many-pixels"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise BadImage(
            "The image is damaged or incomplete (was the upload cut short?); send it again.",
            "photo-damaged",
        ) from None
    full, width, height = _encode(pixels, MAX_SIDE)
    thumbnail, _, _ = _encode(pixels, THUMB_SIDE)
    return CleanPhoto(full, thumbnail, width, height)
