"""The data flow bench's peers: the same work with DuckDB and pandas.

usage: python peers.py DIR ENGINE TASK   (ENGINE duckdb|pandas, TASK split|sort|aggregate)
Reads DIR/input.csv, writes DIR/<engine>_*.csv, prints one JSON line:
{"seconds": ..., "peak_rss_kb": ...}.
"""
import json
import resource
import sys
import time

d, engine, task = sys.argv[1], sys.argv[2], sys.argv[3]
src = f"{d}/input.csv"
start = time.perf_counter()
if engine == "duckdb":
    import duckdb

    con = duckdb.connect()
    cols = ("{'id':'INTEGER','name':'VARCHAR','city':'VARCHAR','qty':'INTEGER',"
            "'price':'DECIMAL(10,2)','discount':'DOUBLE','ts':'TIMESTAMP','flag':'BOOLEAN',"
            "'code':'VARCHAR','note':'VARCHAR'}")
    rd = f"read_csv('{src}', header=true, columns={cols})"
    if task == "split":
        con.execute(f"CREATE TEMP TABLE t AS SELECT *, qty * price AS total, upper(name) AS uname, "
                    f"year(ts) AS yr FROM {rd}")
        con.execute(f"COPY (SELECT * FROM t WHERE total > 2500) TO '{d}/duckdb_hi.csv' (HEADER)")
        con.execute(f"COPY (SELECT * FROM t WHERE NOT (total > 2500) OR total IS NULL) TO '{d}/duckdb_lo.csv' (HEADER)")
    elif task == "sort":
        con.execute(f"COPY (SELECT * FROM {rd} ORDER BY city, qty DESC) TO '{d}/duckdb_sorted.csv' (HEADER)")
    else:
        con.execute(f"COPY (SELECT city, count(*) AS n, sum(qty) AS qty, avg(price) AS avgprice "
                    f"FROM {rd} GROUP BY city) TO '{d}/duckdb_totals.csv' (HEADER)")
else:
    import pandas as pd

    df = pd.read_csv(src, parse_dates=["ts"])
    if task == "split":
        df["total"] = df["qty"] * df["price"]
        df["uname"] = df["name"].str.upper()
        df["yr"] = df["ts"].dt.year
        hi = df["total"] > 2500
        df[hi].to_csv(f"{d}/pandas_hi.csv", index=False)
        df[~hi].to_csv(f"{d}/pandas_lo.csv", index=False)
    elif task == "sort":
        df.sort_values(["city", "qty"], ascending=[True, False], kind="stable").to_csv(
            f"{d}/pandas_sorted.csv", index=False)
    else:
        g = df.groupby("city", sort=False).agg(n=("id", "size"), qty=("qty", "sum"),
                                                avgprice=("price", "mean"))
        g.to_csv(f"{d}/pandas_totals.csv")
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed,
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
