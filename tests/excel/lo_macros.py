"""Run VBA macros of a workbook in headless LibreOffice and print what each recorded (JSON).

    /usr/bin/python3 lo_macros.py BOOK PROFILE_DIR MODULE.MACRO[:arg] ...

Runs under the system Python with python3-uno (the LibreOffice bridge), not in the project venv.
Each macro runs through the document's script provider; the stub xlwings module in BOOK writes
what it was asked to do into a cell of the xlwings.conf sheet, which is read back after each macro.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager

import uno
from com.sun.star.beans import PropertyValue

RECORD_SHEET, RECORD_CELL = "xlwings.conf", (3, 0)  # D1


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextmanager
def desktop_of(profile):
    """A headless LibreOffice with its own profile, for as long as the block runs: its Desktop."""
    pipe = f"xlperf_{uuid.uuid4().hex}"
    proc = subprocess.Popen(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                             "--nolockcheck", "--nodefault", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + 90
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        yield desktop
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main(book, profile, macros):
    with desktop_of(profile) as desktop:
        # MacroExecMode 4: ALWAYS_EXECUTE_NO_WARN (a throwaway profile, a file we built).
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(book), "_blank", 0,
                                           (prop("Hidden", True), prop("MacroExecutionMode", 4)))
        cell = doc.Sheets.getByName(RECORD_SHEET).getCellByPosition(*RECORD_CELL)
        provider = doc.getScriptProvider()
        out = {}
        for spec in macros:
            name, _, arg = spec.partition(":")
            cell.setString("")
            script = provider.getScript(f"vnd.sun.star.script:VBAProject.{name}?language=Basic&location=document")
            try:
                script.invoke((arg,) if arg else (), (), ())  # Basic swallows its own errors: an empty record is the failure
                out[spec] = cell.getString()
            except Exception as exc:  # reported, not raised: the test names the macro that failed
                out[spec] = f"ERROR {type(exc).__name__}: {getattr(exc, 'Message', exc)}"
        doc.close(True)
        print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
