"""The rules of Kundennetz in plain Python: no Django import anywhere below this package."""
