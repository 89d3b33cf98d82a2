"""The workbook file layer: reading and patching .xlsx/.xlsm packages without a load/save round trip."""
