"""What every room of the core shares: who is acting, refusals in plain words, the audit trail, office time, PC names and places, the server's clock, CSV export."""
