"""Risk markers ('red triangles') as the procedure sets them: placing, roles, warnings, instructions, six-monthly review, appeals, retention, the restricted register, letters."""
