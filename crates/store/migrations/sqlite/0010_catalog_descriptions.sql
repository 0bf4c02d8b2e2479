-- What the menu tells a visitor about a dish (issue #13, point 7): a plain-text description
-- (at most 500 characters, checked by the domain's `Description`) and its allergens as the
-- domain's stable codes joined by commas ("gluten,milk"; empty for none), read back through
-- `Allergen::parse` so an unknown code is an error, never dropped.
ALTER TABLE products ADD COLUMN description TEXT;
ALTER TABLE products ADD COLUMN allergens TEXT NOT NULL DEFAULT '';
