"""Real image files made for the tests: camera-like JPEGs with EXIF GPS and orientation,
PNG, WebP, HEIC, and the broken files residents' phones and attackers send."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

# Somewhere in Maarif, as a phone would record it.
GPS_LAT = (33.0, 35.0, 18.5)
GPS_LONG = (7.0, 37.0, 58.2)
CAMERA_MARK = "CASA311-TEST-CAMERA"


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA_MARK
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LAT
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = GPS_LONG
    return exif


def two_colour(size: tuple[int, int]) -> Image.Image:
    """Left half red, right half blue: orientation shows in where the colours end up."""
    width, height = size
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    return image


def camera_jpeg(size=(4000, 3000), orientation: int = 1) -> bytes:
    """A phone-camera JPEG: EXIF with GPS coordinates, a camera make and an orientation."""
    out = io.BytesIO()
    two_colour(size).save(out, "JPEG", quality=90, exif=camera_exif(orientation).tobytes())
    return out.getvalue()


def png(size=(800, 600), alpha: bool = False) -> bytes:
    image = two_colour(size)
    if alpha:
        image = image.convert("RGBA")
        image.putalpha(128)
    out = io.BytesIO()
    image.save(out, "PNG", exif=camera_exif().tobytes())
    return out.getvalue()


def webp(size=(640, 480)) -> bytes:
    out = io.BytesIO()
    two_colour(size).save(out, "WEBP", exif=camera_exif().tobytes())
    return out.getvalue()


def heic(size=(640, 480)) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    two_colour(size).save(out, "HEIF", exif=camera_exif().tobytes())
    return out.getvalue()


def truncated_jpeg() -> bytes:
    data = camera_jpeg((1200, 900))
    return data[: len(data) // 2]


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header declares 10 gigapixels (a decompression bomb)."""
    data = bytearray(png((1, 1)))
    ihdr = 8  # the IHDR chunk follows the 8-byte signature
    body = struct.pack(">II", width, height) + bytes(data[ihdr + 16 : ihdr + 21])
    data[ihdr + 8 : ihdr + 21] = body
    crc = zlib.crc32(b"IHDR" + body) & 0xFFFFFFFF
    data[ihdr + 21 : ihdr + 25] = struct.pack(">I", crc)
    return bytes(data)


def exif_of(data: bytes) -> dict:
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    return {"base": dict(exif), "gps": dict(exif.get_ifd(ExifTags.IFD.GPSInfo))}


# Text a phone app or an attacker can hide beside the pixels.
HIDDEN_TEXT = "Fatima 0661234567"


def jpeg_with_comment(size=(800, 600)) -> bytes:
    """A JPEG with a COM segment (and EXIF) holding a name and a number."""
    out = io.BytesIO()
    two_colour(size).save(out, "JPEG", comment=HIDDEN_TEXT.encode(), exif=camera_exif().tobytes())
    return out.getvalue()


def png_with_text(size=(800, 600)) -> bytes:
    """A PNG whose tEXt, zTXt and iTXt chunks hold a name and a number, one of them under
    the key Pillow's JPEG writer copies ("comment")."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("comment", HIDDEN_TEXT)
    info.add_text("Author", HIDDEN_TEXT, zip=True)
    info.add_itxt("Description", HIDDEN_TEXT, lang="fr")
    out = io.BytesIO()
    two_colour(size).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg_segments(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's segments before its image data (0xFE is COM)."""
    markers, at = [], 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: pixels follow
            break
        at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    return markers
