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

CREATE TABLE events (
    id bigserial PRIMARY KEY,
    customer_id int REFERENCES customers (id),
    name text NOT NULL,
    occurred_at timestamptz NOT NULL,
    props jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE subscriptions (
    id serial PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers (id),
    plan text NOT NULL,
    period tstzrange NOT NULL,
    mrr numeric(10, 2) NOT NULL
);
INSERT INTO events (customer_id, name, occurred_at, props)
SELECT 1 + g % 60, (ARRAY['login', 'view', 'purchase', 'logout'])[1 + g % 4],
       timestamptz '2024-03-01' + g * interval '97 minutes',
       jsonb_build_object('page', '/p/' || g % 9, 'ms', g % 700, 'tags', jsonb_build_array('a', 'b'))
FROM generate_series(1, 2000) g;
INSERT INTO subscriptions (customer_id, plan, period, mrr)
SELECT 1 + g % 60, (ARRAY['basic', 'pro', 'team'])[1 + g % 3],
       tstzrange(timestamptz '2024-01-01' + g * interval '5 days', timestamptz '2024-04-01' + g * interval '9 days'),
       (ARRAY[9, 29, 99])[1 + g % 3]
FROM generate_series(1, 80) g;

CREATE SCHEMA tpch;
CREATE TABLE tpch.region (r_regionkey int PRIMARY KEY, r_name text NOT NULL, r_comment text);
CREATE TABLE tpch.nation (n_nationkey int PRIMARY KEY, n_name text NOT NULL, n_regionkey int NOT NULL, n_comment text);
CREATE TABLE tpch.supplier (s_suppkey int PRIMARY KEY, s_name text NOT NULL, s_address text, s_nationkey int NOT NULL,
    s_phone text, s_acctbal numeric(12, 2), s_comment text);
CREATE TABLE tpch.part (p_partkey int PRIMARY KEY, p_name text NOT NULL, p_mfgr text, p_brand text, p_type text,
    p_size int, p_container text, p_retailprice numeric(12, 2), p_comment text);
CREATE TABLE tpch.partsupp (ps_partkey int, ps_suppkey int, ps_availqty int, ps_supplycost numeric(12, 2),
    ps_comment text, PRIMARY KEY (ps_partkey, ps_suppkey));
CREATE TABLE tpch.customer (c_custkey int PRIMARY KEY, c_name text, c_address text, c_nationkey int, c_phone text,
    c_acctbal numeric(12, 2), c_mktsegment text, c_comment text);
CREATE TABLE tpch.orders (o_orderkey int PRIMARY KEY, o_custkey int, o_orderstatus char(1), o_totalprice numeric(12, 2),
    o_orderdate date, o_orderpriority text, o_clerk text, o_shippriority int, o_comment text);
CREATE TABLE tpch.lineitem (l_orderkey int, l_partkey int, l_suppkey int, l_linenumber int, l_quantity numeric(12, 2),
    l_extendedprice numeric(12, 2), l_discount numeric(12, 2), l_tax numeric(12, 2), l_returnflag char(1),
    l_linestatus char(1), l_shipdate date, l_commitdate date, l_receiptdate date, l_shipinstruct text, l_shipmode text,
    l_comment text, PRIMARY KEY (l_orderkey, l_linenumber));
INSERT INTO tpch.region SELECT g, (ARRAY['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'])[g + 1], 'r' FROM generate_series(0, 4) g;
INSERT INTO tpch.nation SELECT g, (ARRAY['ALGERIA', 'ARGENTINA', 'BRAZIL', 'CANADA', 'EGYPT', 'ETHIOPIA', 'FRANCE',
    'GERMANY', 'INDIA', 'INDONESIA'])[g + 1], g % 5, 'n' FROM generate_series(0, 9) g;
INSERT INTO tpch.supplier SELECT g, 'Supplier#' || g, 'addr ' || g, g % 10, '1' || g % 10 || '-555-' || g,
    g * 10.5 - 100, CASE WHEN g % 7 = 0 THEN 'Customer Complaints here' ELSE 'fine' END FROM generate_series(1, 20) g;
INSERT INTO tpch.part SELECT g, (ARRAY['forest green', 'navy blue', 'pale rose'])[1 + g % 3] || ' part ' || g,
    'Manufacturer#' || 1 + g % 5, 'Brand#' || 1 + g % 5 || 1 + g % 4,
    (ARRAY['ECONOMY ANODIZED STEEL', 'PROMO BRUSHED COPPER', 'STANDARD POLISHED BRASS', 'MEDIUM BURNISHED TIN'])[1 + g % 4],
    1 + g % 50, (ARRAY['SM CASE', 'MED BOX', 'LG PACK', 'WRAP BAG'])[1 + g % 4], 900 + g, 'p' FROM generate_series(1, 40) g;
INSERT INTO tpch.partsupp SELECT p, s, 100 * p % 997, 1 + (p * s) % 100, 'ps'
FROM generate_series(1, 40) p, generate_series(1, 20, 5) s;
INSERT INTO tpch.customer SELECT g, 'Customer#' || g, 'addr', g % 10, (10 + g % 25) || '-555-' || g, g * 7.5 - 50,
    (ARRAY['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD'])[1 + g % 5], 'c' FROM generate_series(1, 50) g;
INSERT INTO tpch.orders SELECT g, 1 + g % 50, (ARRAY['F', 'O', 'P'])[1 + g % 3], 1000 + g * 3.5,
    date '1993-01-01' + g * 7, (ARRAY['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'])[1 + g % 5],
    'Clerk#' || g % 9, 0, CASE WHEN g % 11 = 0 THEN 'special requests' ELSE 'o' END FROM generate_series(1, 300) g;
INSERT INTO tpch.lineitem SELECT o, 1 + (o * k) % 40, 1 + ((o + k) % 4) * 5, k, 1 + (o * k) % 50, 100 + (o * k) % 900,
    ((o + k) % 10) / 100.0, ((o * k) % 8) / 100.0, (ARRAY['A', 'N', 'R'])[1 + (o + k) % 3], (ARRAY['F', 'O'])[1 + k % 2],
    date '1993-01-01' + o * 7 + k * 3, date '1993-01-01' + o * 7 + k * 4, date '1993-01-01' + o * 7 + k * 5,
    (ARRAY['DELIVER IN PERSON', 'NONE', 'TAKE BACK RETURN'])[1 + k % 3], (ARRAY['MAIL', 'SHIP', 'AIR', 'TRUCK'])[1 + o % 4], 'l'
FROM generate_series(1, 300) o, generate_series(1, 4) k;
ANALYZE;
