-- The sandbox gateway's own records: its PaymentIntents as Stripe-shaped JSON, so a payment
-- can be retrieved (reconciliation), authenticated on its challenge page, refunded and
-- disputed through the same routes as with Stripe. Development and tests only: a Stripe
-- deployment never writes here.
CREATE TABLE sandbox_payment_intents (
  id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX sandbox_payment_intents_payment ON sandbox_payment_intents (payment_id);
