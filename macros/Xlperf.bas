Attribute VB_Name = "Xlperf"
' xlperf in Excel: the buttons on the first sheet and the ribbon tab call Python through
' xlwings' RunPython (the standalone xlwings module in this project). The Python side does
' the work and shows every message; this module only says which entry point to run.
' ASCII only: the Chinese captions live in customUI14.xml and in Python.
Option Explicit

Private Const ENTRY As String = "import xlperf.excel; xlperf.excel."

Public Sub XlperfRecompute()
    RunPython ENTRY & "recompute()"
End Sub

Public Sub XlperfCheck()
    RunPython ENTRY & "check()"
End Sub

Public Sub XlperfClear()
    RunPython ENTRY & "clear()"
End Sub

Public Sub XlperfVerify()
    RunPython ENTRY & "verify()"
End Sub

Public Sub XlperfNewTemplate()
    RunPython ENTRY & "new_template()"
End Sub

' xlwings writes the VBA wrappers of the worksheet functions (module xlwings_udfs) for the
' modules named under "UDF Modules" on the xlwings.conf sheet. Excel must trust access to
' the VBA project object model for this (see docs/excel-check.md).
Public Sub XlperfImportFunctions()
    ImportPythonUDFs
End Sub
