"""Import of orders from CSV and XLSX files: one row per order line (manual §2.1.3)."""
