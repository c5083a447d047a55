"""Places (layer 1): the districts, communes and villages a run covers, and what they start from.

- :mod:`~adoption.places.names` - place names as people type them (with or without
  Vietnamese diacritics), resolved to the names the data uses;
- :mod:`~adoption.places.profiles` - district profiles: households, communes,
  villages, starting rates and offices, read from ``adoption/data/districts.csv`` or a
  user's profile file.

May import: the package's shared modules (errors, files, calendar) only.
"""
