"""Fleet health: how every kiosk is, from its last heartbeat, for the people who run them."""
