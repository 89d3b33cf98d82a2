"""The book layer: one interface to a workbook (protocol.py) and everything written once over it."""
