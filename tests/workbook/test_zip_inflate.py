"""inflate_member: the reader xlperf uses for stored and deflated members refuses what zipfile refuses.

Each damaged archive below is made by editing the bytes of a good one; zipfile's own reader is the
reference for "refused" on the same bytes.
"""

import io
import zipfile
import zlib

import pytest

from xlperf.workbook import deflate, inflatememo
from xlperf.workbook.zipraw import RawZipError, inflate_member

BODY = b"<sheet>" + b"<row/>" * 500 + b"</sheet>"


@pytest.fixture(autouse=True, params=["isal", "zlib"])
def engine(request, monkeypatch):
    """Every test with ISA-L (when installed) and with zlib, the fallback where it is not."""
    inflatememo.clear()  # each engine inflates for itself, never answered from another test's memo
    if request.param == "zlib":
        monkeypatch.setattr(deflate, "_impl", zlib)
        monkeypatch.setattr(deflate, "ERRORS", (zlib.error,))
    elif deflate._fast is None:
        pytest.skip("isal is not installed")
    return request.param


def test_deflated_payloads_read_back_with_zlib_and_zipfile():
    text = "评价".encode() * 3000 + BODY
    assert zlib.decompress(deflate.deflate(text), -15) == text
    assert deflate.inflater().decompress(zlib.compress(text)[2:-4]) == text


def test_crc32_is_zlibs_whichever_library_computes_it():
    """ISA-L's CRC-32 stands in for zlib's wherever a member is checked or written: one function."""
    for data in (b"", b"a", BODY, "评价".encode() * 5000, bytes(range(256)) * 97):
        assert deflate.crc32(data) == zlib.crc32(data)
        assert deflate.crc32(data, 0x1234ABCD) == zlib.crc32(data, 0x1234ABCD)  # a running CRC, chunk by chunk
    half = len(BODY) // 2
    assert deflate.crc32(BODY[half:], deflate.crc32(BODY[:half])) == zlib.crc32(BODY)


def archive(method=zipfile.ZIP_DEFLATED, name="xl/a.xml", body=BODY) -> bytearray:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        zf.writestr(name, body)
    return bytearray(buf.getvalue())


def read_both(blob: bytes | bytearray):
    """(inflate_member's answer or "refused", zipfile's answer or "refused") for the one member."""
    zf = zipfile.ZipFile(io.BytesIO(bytes(blob)))
    info = zf.infolist()[0]
    try:
        mine = inflate_member(bytes(blob), info)
    except RawZipError:
        mine = "refused"
    try:
        with zf.open(info) as stream:
            theirs = stream.read(info.file_size + 1)
        if len(theirs) != info.file_size:
            theirs = "refused"
    except (zipfile.BadZipFile, zlib.error, EOFError):
        theirs = "refused"
    return mine, theirs


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_good_members_read_as_zipfile_reads_them(method):
    assert read_both(archive(method)) == (BODY, BODY)


def test_a_utf8_name_is_matched_as_zipfile_matches_it():
    assert read_both(archive(name="xl/工作表.xml")) == (BODY, BODY)


def edit_local_name(blob):
    at = blob.index(b"xl/a.xml")  # the local header's copy comes first
    blob[at:at + 8] = b"xl/b.xml"
    return blob


def edit_crc(blob):
    info = zipfile.ZipFile(io.BytesIO(bytes(blob))).infolist()[0]
    blob[14:18] = (info.CRC ^ 1).to_bytes(4, "little")  # local header
    central = blob.index(b"PK\x01\x02")
    blob[central + 16:central + 20] = (info.CRC ^ 1).to_bytes(4, "little")
    return blob


def edit_stream(blob):
    at = blob.index(b"xl/a.xml") + 8 + 5  # inside the deflate stream
    blob[at] ^= 0xFF
    return blob


def edit_sizes(blob, declared):
    central = blob.index(b"PK\x01\x02")
    blob[central + 24:central + 28] = declared.to_bytes(4, "little")
    blob[22:26] = declared.to_bytes(4, "little")
    return blob


DAMAGES = [
    pytest.param(edit_local_name, id="local name differs from the directory's"),
    pytest.param(edit_crc, id="CRC wrong"),
    pytest.param(edit_stream, id="deflate stream damaged"),
    pytest.param(lambda b: edit_sizes(b, len(BODY) - 10), id="inflates past the declared size"),
    pytest.param(lambda b: edit_sizes(b, len(BODY) + 10), id="ends before the declared size"),
    pytest.param(lambda b: b.__setitem__(slice(0, 4), b"PK\x00\x00") or b, id="local signature wrong"),
]


@pytest.mark.parametrize("damage", DAMAGES)
def test_damage_is_refused_where_zipfile_refuses_it(damage):
    assert read_both(damage(archive())) == ("refused", "refused")


def test_other_methods_are_left_to_zipfile():
    blob = archive(zipfile.ZIP_BZIP2)
    info = zipfile.ZipFile(io.BytesIO(bytes(blob))).infolist()[0]
    assert inflate_member(bytes(blob), info) is None
