"""Type into a workbook as a LibreOffice user does, and save it: what LibreOffice itself makes of the edit.

    /usr/bin/python3 lo_type.py BOOK OUT PROFILE_DIR 'SHEET!A1=value' 'rename:SHEET=NEW' 'insert-row:SHEET=5' 'merge:SHEET=B4:B5' 'format:SHEET!A1=0.00' ...

Runs under the system Python with python3-uno (the LibreOffice bridge), like lo_macros.py. Each value is
set as a number when it reads as one, else as text; ``rename:`` renames a sheet and ``insert-row:`` inserts
an empty row above the given one, as the sheet tab's and the row header's menus do; ``merge:`` merges a range
(the covered cells keep their contents, hidden, as LibreOffice offers); ``format:`` sets a cell's number
format; the book is stored
as .xlsx (Calc MS Excel 2007 XML).
"""

import sys

import uno

from lo_macros import desktop_of, prop


def main(book, out, profile, cells):
    with desktop_of(profile) as desktop:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(book), "_blank", 0, (prop("Hidden", True),))
        for spec in cells:
            ref, value = spec.split("=", 1)
            if ref.startswith("rename:"):
                doc.Sheets.getByName(ref[len("rename:"):]).Name = value
                continue
            if ref.startswith("format:"):  # format:SHEET!A1=0.00, as Format Cells → Numbers sets it
                sheet, address = ref[len("format:"):].split("!")
                formats, locale = doc.NumberFormats, uno.createUnoStruct("com.sun.star.lang.Locale")
                key = formats.queryKey(value, locale, False)
                key = formats.addNew(value, locale) if key == -1 else key
                doc.Sheets.getByName(sheet).getCellRangeByName(address).NumberFormat = key
                continue
            if ref.startswith("merge:"):  # merge:SHEET=B4:B5, covered cells keeping their contents, hidden
                doc.Sheets.getByName(ref[len("merge:"):]).getCellRangeByName(value).merge(True)
                continue
            if ref.startswith("insert-row:"):
                doc.Sheets.getByName(ref[len("insert-row:"):]).Rows.insertByIndex(int(value) - 1, 1)
                continue
            sheet, address = ref.split("!")
            cell = doc.Sheets.getByName(sheet).getCellRangeByName(address)
            try:
                cell.setValue(float(value))
            except ValueError:
                cell.setString(value)
        doc.storeToURL(uno.systemPathToFileUrl(out), (prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
