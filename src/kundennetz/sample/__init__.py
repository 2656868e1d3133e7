"""Sample data: the demo network (`kundennetz demo`, `kundennetz logins`) and generated networks of any size
(`kundennetz generate`). It sits above every other app: it writes the records of all of them, and none
of them imports it."""
