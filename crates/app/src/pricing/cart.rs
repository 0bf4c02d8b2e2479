//! Pricing a cart: loading what the engine needs and calling it, so every channel gets the same price.
