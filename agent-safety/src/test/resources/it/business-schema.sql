CREATE TABLE customers (
    id serial PRIMARY KEY,
    name text NOT NULL,
    email text,
    ssn text,
    country text,
    segment text,
    created_at timestamptz NOT NULL DEFAULT now(),
    attrs jsonb NOT NULL DEFAULT '{}',
    tags text[] NOT NULL DEFAULT '{}'
);
CREATE TABLE products (
    id serial PRIMARY KEY,
    sku text UNIQUE NOT NULL,
    name text NOT NULL,
    category text NOT NULL,
    price numeric(10, 2) NOT NULL,
    active boolean NOT NULL DEFAULT true,
    attrs jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE orders (
    id serial PRIMARY KEY,
    customer_id int REFERENCES customers (id),
    status text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    total numeric(12, 2),
    shipping jsonb
);
CREATE TABLE order_items (
    order_id int NOT NULL REFERENCES orders (id),
    product_id int NOT NULL REFERENCES products (id),
    quantity int NOT NULL,
    unit_price numeric(10, 2) NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
CREATE TABLE payments (
    id serial PRIMARY KEY,
    order_id int NOT NULL REFERENCES orders (id),
    amount numeric(12, 2) NOT NULL,
    method text NOT NULL,
    paid_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE employees (
    id serial PRIMARY KEY,
    name text NOT NULL,
    manager_id int REFERENCES employees (id),
    department text NOT NULL,
    salary numeric(10, 2) NOT NULL,
    hired_at date NOT NULL
);
CREATE TABLE audit_log (id serial PRIMARY KEY, happened_at timestamptz NOT NULL DEFAULT now(), what text);
CREATE SCHEMA audit;
CREATE SCHEMA other;
CREATE FUNCTION other.risky(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
CREATE TABLE audit.events (id serial PRIMARY KEY, what text);
CREATE MATERIALIZED VIEW mv AS SELECT status, count(*) AS n FROM orders GROUP BY status;

INSERT INTO customers (name, email, ssn, country, segment, created_at, attrs, tags)
SELECT 'Customer ' || g, 'c' || g || '@example.com', lpad(g::text, 9, '0'),
       (ARRAY['DE', 'FR', 'US', 'GB', ''])[1 + g % 5], (ARRAY['retail', 'b2b'])[1 + g % 2],
       timestamptz '2024-01-01' + g * interval '3 days',
       jsonb_build_object('vip', g % 7 = 0), CASE WHEN g % 3 = 0 THEN ARRAY['vip', 'new'] ELSE ARRAY['old'] END
FROM generate_series(1, 60) g;
INSERT INTO products (sku, name, category, price, active, attrs)
SELECT 'SKU-' || g, 'Product ' || g, (ARRAY['books', 'games', 'tools'])[1 + g % 3], 5 + g * 1.25, g % 4 <> 0,
       jsonb_build_object('color', (ARRAY['red', 'blue'])[1 + g % 2], 'size', g % 5,
                          'dims', jsonb_build_object('w', g, 'h', g * 2))
FROM generate_series(1, 25) g;
INSERT INTO orders (customer_id, status, created_at, total, shipping)
SELECT 1 + g % 60, (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4],
       timestamptz '2024-02-01' + g * interval '17 hours', round((10 + (g * 37) % 400)::numeric, 2),
       CASE WHEN g % 5 = 0 THEN NULL ELSE jsonb_build_object('city', (ARRAY['Berlin', 'Paris', 'Austin'])[1 + g % 3]) END
FROM generate_series(1, 300) g;
INSERT INTO order_items (order_id, product_id, quantity, unit_price)
SELECT o, 1 + (o * k) % 25, 1 + (o + k) % 4, 5 + ((o * k) % 25) * 1.25
FROM generate_series(1, 300) o, generate_series(1, 3) k
ON CONFLICT DO NOTHING;
INSERT INTO payments (order_id, amount, method, paid_at)
SELECT g, round((10 + (g * 37) % 400)::numeric, 2), (ARRAY['card', 'invoice', 'paypal'])[1 + g % 3],
       timestamptz '2024-02-02' + g * interval '17 hours'
FROM generate_series(1, 300, 2) g;
INSERT INTO employees (name, manager_id, department, salary, hired_at) VALUES ('Boss', NULL, 'exec', 200000, '2015-01-01');
INSERT INTO employees (name, manager_id, department, salary, hired_at)
SELECT 'Employee ' || g, 1 + (g - 2) / 5, (ARRAY['sales', 'support', 'engineering'])[1 + g % 3], 40000 + g * 1000,
       date '2016-01-01' + g * 30
FROM generate_series(2, 30) g;
INSERT INTO audit_log (what) SELECT 'event ' || g FROM generate_series(1, 10) g;
INSERT INTO audit.events (what) SELECT 'event ' || g FROM generate_series(1, 10) g;
REFRESH MATERIALIZED VIEW mv;
CREATE SEQUENCE spare_seq;
SELECT nextval('spare_seq');
ANALYZE;
