"""Reception: booking visitors in, room choice, finding a person despite variants, the desk, identity corrections."""
