"""Schema migrations, applied in order by the store: ``NNN_name.sql`` and/or ``NNN_name.py``.

Numbers run 1..n without gaps. A number may have an SQL file, a Python module, or both (the SQL
first, then the module's ``migrate(conn) -> str``, whose returned line is logged and kept in
``schema_log``), all in one transaction.
"""
