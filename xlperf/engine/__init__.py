"""The pure middle: typed inputs → indicators → scores and findings. No workbook, zip or XML here."""
