-- The quote context's catalog (issue 15): products with their
-- configuration rules, price books per currency with effective dates,
-- versioned volume discount schedules, and the versioned channel pricing
-- policy. A price change is a new price entry from a later day and a
-- schedule or policy change a new version, so a quote priced earlier keeps
-- what it was priced with.

-- +goose Up
CREATE TABLE quote_products (
    sku          text PRIMARY KEY CHECK (sku ~ '^[A-Z0-9][A-Z0-9._-]{0,63}$'),
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    product_line text NOT NULL CHECK (length(product_line) BETWEEN 1 AND 100),
    unit         text NOT NULL CHECK (length(btrim(unit)) BETWEEN 1 AND 50),
    discountable boolean NOT NULL,
    active       boolean NOT NULL,
    min_qty      bigint NOT NULL CHECK (min_qty >= 1),
    max_qty      bigint NOT NULL CHECK (max_qty = 0 OR max_qty >= min_qty),
    requires     text[] NOT NULL DEFAULT '{}',
    excludes     text[] NOT NULL DEFAULT '{}',
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- quote_prices is the price book: one entry per SKU, currency and first day
-- in force; the entry in force on a day is the latest starting on or before it.
CREATE TABLE quote_prices (
    sku            text NOT NULL REFERENCES quote_products (sku),
    currency       text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    effective_from date NOT NULL,
    list_price     bigint NOT NULL CHECK (list_price >= 0),
    version        integer NOT NULL CHECK (version > 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sku, currency, effective_from),
    UNIQUE (sku, currency, version)
);

-- quote_schedules keeps every version of a product's volume schedule; the
-- latest prices new quotes.
CREATE TABLE quote_schedules (
    sku        text NOT NULL REFERENCES quote_products (sku),
    version    integer NOT NULL CHECK (version > 0),
    kind       text NOT NULL CHECK (kind IN ('range', 'slab')),
    tiers      jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sku, version)
);

-- quote_policies keeps every version of the channel pricing policy
-- (domain.ChannelPricing); the latest prices new quotes.
CREATE TABLE quote_policies (
    version    integer PRIMARY KEY CHECK (version > 0),
    policy     jsonb NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE quote_policies;
DROP TABLE quote_schedules;
DROP TABLE quote_prices;
DROP TABLE quote_products;
