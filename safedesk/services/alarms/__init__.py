"""The alarm path: a press stored and raised, responding, escalation, the rota, incidents, what the alert shows, who is in the room and who can be reached."""
