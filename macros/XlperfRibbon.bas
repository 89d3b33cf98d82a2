Attribute VB_Name = "XlperfRibbon"
' Callbacks of the ribbon tab (customUI/customUI14.xml): one per button, each running the
' macro of the button with the same caption on the first sheet.
Option Explicit

Public Sub XlperfRibbonRecompute(control As IRibbonControl)
    XlperfRecompute
End Sub

Public Sub XlperfRibbonCheck(control As IRibbonControl)
    XlperfCheck
End Sub

Public Sub XlperfRibbonClear(control As IRibbonControl)
    XlperfClear
End Sub

Public Sub XlperfRibbonVerify(control As IRibbonControl)
    XlperfVerify
End Sub

Public Sub XlperfRibbonNewTemplate(control As IRibbonControl)
    XlperfNewTemplate
End Sub

Public Sub XlperfRibbonImportFunctions(control As IRibbonControl)
    XlperfImportFunctions
End Sub
