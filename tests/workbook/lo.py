"""LibreOffice (soffice) as a test client: headless conversions, each with a throwaway profile.

What the helpers guard against (research/tech-notes.md §4, measured with LibreOffice 7.4):
- soffice exits 0 even when it could not load the file ("Error: source file could not be loaded"),
  so every call checks that each expected output file exists and is not empty;
- it silently repairs broken XML, so a conversion that "worked" says nothing about the package:
  validate the structure with xlperf.workbook.package.check_structure instead;
- by default it keeps the cached <v> of formulas (fullCalcOnLoad is ignored): a profile whose
  registrymodifications.xcu sets OOXMLRecalcMode/ODFRecalcMode to 0 ("always") recalculates on load;
- profiles must not be shared between concurrent calls: each call gets its own, removed afterwards.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")

# UTF-8 (76), comma-separated, every sheet (-1) into <name>-<Sheet>.csv. Token 9 ("save cell contents
# as shown") is false here: numbers come out raw (5, 1.89, 0; a percent cell as 98.69533615%).
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
# The same with token 9 true: numbers as the sheet shows them (5.00, 0.00, 98.70%).
CSV_ALL_SHEETS_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"

ALWAYS_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

TIMEOUT = 180  # seconds per call; a first start on a cold machine takes a few seconds


class SofficeFailed(AssertionError):
    """soffice did not produce what it was asked for (whatever its exit code said)."""


def make_profile(folder: Path, *, always_recalc: bool = False) -> Path:
    """A fresh user profile; with always_recalc, formulas are recalculated on load."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    if always_recalc:
        (user / "registrymodifications.xcu").write_text(ALWAYS_RECALC_XCU, encoding="utf-8")
    return folder


def run_soffice(args: list[str], *, always_recalc: bool = False, timeout: int = TIMEOUT
                ) -> subprocess.CompletedProcess:
    """soffice --headless with its own throwaway profile; the whole process group dies on timeout."""
    if SOFFICE is None:
        raise SofficeFailed("soffice is not installed")
    with tempfile.TemporaryDirectory(prefix="xlperf-lo-profile-") as tmp:
        profile = make_profile(Path(tmp), always_recalc=always_recalc)
        cmd = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", *args]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice is a wrapper: its soffice.bin child must go too
            proc.communicate()
            raise SofficeFailed(f"soffice took longer than {timeout} s: {' '.join(cmd)}") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


@dataclass
class Conversion:
    files: dict[Path, list[Path]]  # source -> the output files it had to produce, all present
    returncode: int
    stderr: str


def convert(sources: list[Path] | Path, target: str, outdir: Path, *, expect: dict[Path, list[str]] | None = None,
            always_recalc: bool = False, timeout: int = TIMEOUT) -> Conversion:
    """Convert sources with --convert-to target into outdir; SofficeFailed if an expected output is missing.

    expect maps a source to the suffixes of the files it must produce: [".pdf"] (the default for a
    pdf target) or ["-评分表.csv", …] for a csv of all sheets. Outputs left over from an earlier call
    are removed first, so an existing file always comes from this call.
    """
    sources = [sources] if isinstance(sources, Path) else list(sources)
    outdir.mkdir(parents=True, exist_ok=True)
    fmt = target.split(":", 1)[0]
    expect = expect or {s: [f".{fmt}"] for s in sources}
    wanted = {s: [outdir / f"{s.stem}{suffix}" for suffix in expect[s]] for s in sources}
    for paths in wanted.values():
        for path in paths:
            path.unlink(missing_ok=True)
    run = run_soffice(["--convert-to", target, "--outdir", str(outdir), *map(str, sources)],
                      always_recalc=always_recalc, timeout=timeout)
    missing = [p for paths in wanted.values() for p in paths if not p.is_file() or p.stat().st_size == 0]
    if missing:
        raise SofficeFailed(
            f"soffice exited {run.returncode} but did not write {', '.join(p.name for p in missing)}\n"
            f"stdout: {run.stdout.decode(errors='replace')}\nstderr: {run.stderr.decode(errors='replace')}"
        )
    return Conversion(wanted, run.returncode, run.stderr.decode(errors="replace"))


def csv_of_all_sheets(sources: list[Path] | Path, sheets: list[str], outdir: Path, *, as_shown: bool = False,
                      always_recalc: bool = False) -> dict[Path, dict[str, list[list[str]]]]:
    """{source: {sheet: rows}} from one soffice call converting every sheet of every source to UTF-8 CSV."""
    sources = [sources] if isinstance(sources, Path) else list(sources)
    target = CSV_ALL_SHEETS_AS_SHOWN if as_shown else CSV_ALL_SHEETS
    files = convert(sources, target, outdir, expect={s: [f"-{name}.csv" for name in sheets] for s in sources},
                    always_recalc=always_recalc).files
    return {s: {name: read_csv(path) for name, path in zip(sheets, files[s])} for s in sources}


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fp:
        return list(csv.reader(fp))


def cell(rows: list[list[str]], row: int, col: int) -> str:
    """The text at a 1-based (row, col) of a sheet's CSV ("" beyond the exported area)."""
    line = rows[row - 1] if row - 1 < len(rows) else []
    return line[col - 1] if col - 1 < len(line) else ""


def pdf_to_png(pdf: Path, outdir: Path, *, dpi: int = 50, timeout: int = 120) -> list[Path]:
    """One PNG per page (poppler's pdftoppm), in page order."""
    if PDFTOPPM is None:
        raise SofficeFailed("pdftoppm (poppler-utils) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    prefix = outdir / pdf.stem
    run = subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), str(pdf), str(prefix)], capture_output=True,
                         timeout=timeout)
    pages = sorted(outdir.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    if run.returncode != 0 or not pages:
        raise SofficeFailed(f"pdftoppm exited {run.returncode}, {len(pages)} pages: {run.stderr.decode(errors='replace')}")
    return pages


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise SofficeFailed(f"{path.name} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def pdf_page_texts(pdf: Path, pages: int) -> list[str] | None:
    """The text of each page (poppler's pdftotext), or None when pdftotext is not installed."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    return [subprocess.run([tool, "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, timeout=60,
                           check=True).stdout.decode("utf-8", "replace") for n in range(1, pages + 1)]


SYSTEM_PYTHON = "/usr/bin/python3"  # the one with python3-uno, LibreOffice's bridge


def uno_available() -> bool:
    if SOFFICE is None or not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


def edited_in_libreoffice(src: Path, out: Path, *edits: str) -> Path:
    """src opened in LibreOffice, edited as tests/excel/lo_type.py's arguments say, saved as .xlsx at out."""
    run = subprocess.run([SYSTEM_PYTHON, str(Path(__file__).parents[1] / "excel" / "lo_type.py"), str(src), str(out),
                          str(out.parent / "profile"), *edits], capture_output=True, text=True, timeout=240)
    if run.returncode != 0 or not out.is_file():
        raise SofficeFailed(run.stderr)
    return out
