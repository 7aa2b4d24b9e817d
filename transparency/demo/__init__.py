"""Demo data that tells a real story: the Yagi typhoon appeal of September 2024 day by day (pledges,
a bank statement a day with thousands of transfers, the desk, the staff queue, allocations,
disbursements and distribution reports) and the closed COVID-19 appeal of 2021.

Everything is written through the services, from a fixed random seed, so the demo is the same every
time and its journal verifies. `people` and `statements` are plain generators (no database) that the
national-size benchmark in `bench/` reuses.
"""
