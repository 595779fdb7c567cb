"""The reception window: today's visitors, booking in, flagged-file warnings, rooms, host notices."""
