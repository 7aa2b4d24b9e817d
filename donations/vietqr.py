"""VietQR (NAPAS 247, EMVCo merchant-presented) payloads for bank transfers, plus QR rendering."""

import binascii
import io
import re

import qrcode
import qrcode.constants
import qrcode.image.svg

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"  # inter-bank fund transfer 24/7 to an account
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
MAX_PURPOSE_LENGTH = 25
MAX_AMOUNT_DIGITS = 13  # EMVCo limit for field 54

_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")


def crc16_ccitt_false(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection) of the UTF-8 bytes, as 4 uppercase
    hex digits: the standard library's CRC-CCITT started at 0xFFFF."""
    return f"{binascii.crc_hqx(data.encode('utf-8'), 0xFFFF):04X}"


def tlv(tag: str, value: str) -> str:
    """One EMVCo data object: 2-char tag, 2-digit length, value."""
    if len(tag) != 2:
        raise ValueError(f"tag must be 2 characters: {tag!r}")
    if len(value) > 99:
        raise ValueError(f"value of tag {tag} is {len(value)} characters; the maximum is 99")
    return f"{tag}{len(value):02d}{value}"


def vietqr_payload(
    *, bank_bin: str, account_number: str, amount: int | None = None, purpose: str = ""
) -> str:
    """Build the VietQR string: static (no amount) or dynamic (fixed amount in whole đồng)."""
    if not _BIN.fullmatch(bank_bin or ""):
        raise ValueError("bank BIN must be exactly 6 digits")
    if not _ACCOUNT.fullmatch(account_number or ""):
        raise ValueError("account number must be 1-19 letters or digits")
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValueError("amount must be a positive whole number of đồng")
        if len(str(amount)) > MAX_AMOUNT_DIGITS:
            raise ValueError("amount is too large for a VietQR code")
    if not (purpose.isascii() and purpose.isprintable()):
        raise ValueError("transfer purpose must be plain ASCII (no Vietnamese diacritics)")
    if len(purpose) > MAX_PURPOSE_LENGTH:
        raise ValueError(f"transfer purpose must be at most {MAX_PURPOSE_LENGTH} characters")

    beneficiary = tlv("00", bank_bin) + tlv("01", account_number)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    parts = [
        tlv("00", "01"),
        tlv("01", "11" if amount is None else "12"),
        tlv("38", merchant),
        tlv("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(tlv("54", str(amount)))
    parts.append(tlv("58", COUNTRY_VN))
    if purpose:
        parts.append(tlv("62", tlv("08", purpose)))
    body = "".join(parts) + "6304"
    return body + crc16_ccitt_false(body)


def parse_tlv(payload: str) -> dict[str, str]:
    """Split a payload into its top-level {tag: value} objects; ValueError if malformed."""
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(payload):
        tag, length = payload[pos : pos + 2], payload[pos + 2 : pos + 4]
        if len(length) != 2 or not length.isdigit():
            raise ValueError(f"bad length at offset {pos}")
        end = pos + 4 + int(length)
        if end > len(payload):
            raise ValueError(f"value of tag {tag} runs past the end")
        fields[tag] = payload[pos + 4 : end]
        pos = end
    return fields


def verify_crc(payload: str) -> bool:
    """True if the payload ends with a 6304 CRC object that matches everything before it."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    return crc16_ccitt_false(payload[:-4]) == payload[-4:].upper()


def _qr(payload: str, box_size: int) -> qrcode.QRCode:
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4
    )
    qr.add_data(payload)
    qr.make(fit=True)
    return qr


def qr_png(payload: str, *, box_size: int = 8) -> bytes:
    """The payload as a PNG QR code."""
    buf = io.BytesIO()
    _qr(payload, box_size).make_image().save(buf)
    return buf.getvalue()


def qr_svg(payload: str) -> bytes:
    """The payload as a scalable SVG QR code (single path)."""
    buf = io.BytesIO()
    _qr(payload, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    return buf.getvalue()
