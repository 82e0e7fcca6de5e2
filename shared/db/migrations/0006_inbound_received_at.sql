-- The catch-up timer (sms_follow_up_catch_up, every 5 minutes) reads the inbound messages of the last
-- 15 minutes by received_at: an index keeps that a range scan instead of reading every message ever kept.
CREATE INDEX inbound_messages_received_at ON inbound_messages (received_at);
