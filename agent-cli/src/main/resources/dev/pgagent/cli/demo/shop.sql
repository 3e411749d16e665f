-- pg-agent demo database: a small online shop in its own schema "shop".
-- Every row is generated deterministically (fixed setseed, fixed dates), so two loads give the same data.
-- Written for PostgreSQL 12 or later. Loaded by dev.pgagent.cli.demo.DemoDatabase in one transaction.

CREATE SCHEMA shop;
COMMENT ON SCHEMA shop IS 'pg-agent demo: a small online shop (customers, products, orders, payments, shipments)';
SET LOCAL search_path = shop, pg_catalog;
-- random() must be evaluated in one predictable order
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT setseed(0.42);

-- ---------------------------------------------------------------------------------------------------------------
-- Types
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded');
COMMENT ON TYPE order_status IS 'Life cycle of an order: pending -> paid -> shipped -> delivered; or cancelled/refunded';
CREATE TYPE payment_method AS ENUM ('card', 'paypal', 'bank_transfer', 'gift_card');
COMMENT ON TYPE payment_method IS 'How a payment was made';
CREATE TYPE shipment_status AS ENUM ('label_created', 'in_transit', 'delivered', 'returned');
COMMENT ON TYPE shipment_status IS 'Where a parcel is';

-- ---------------------------------------------------------------------------------------------------------------
-- Tables
CREATE TABLE categories (
    category_id  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL UNIQUE,
    parent_id    integer REFERENCES categories (category_id),
    description  text NOT NULL
);
COMMENT ON TABLE categories IS 'Product categories, two levels deep (a top-level category has no parent)';
COMMENT ON COLUMN categories.parent_id IS 'The enclosing category; NULL for a top-level category';

CREATE TABLE suppliers (
    supplier_id    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL UNIQUE,
    country        text NOT NULL,
    contact_email  text NOT NULL,
    partner_since  date NOT NULL
);
COMMENT ON TABLE suppliers IS 'Companies the shop buys its products from';
COMMENT ON COLUMN suppliers.country IS 'ISO 3166-1 alpha-2 country code';

CREATE TABLE products (
    product_id      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku             text NOT NULL UNIQUE,
    name            text NOT NULL,
    category_id     integer NOT NULL REFERENCES categories (category_id),
    supplier_id     integer NOT NULL REFERENCES suppliers (supplier_id),
    unit_price      numeric(10, 2) NOT NULL CHECK (unit_price > 0),
    unit_cost       numeric(10, 2) NOT NULL CHECK (unit_cost > 0),
    stock_quantity  integer NOT NULL CHECK (stock_quantity >= 0),
    discontinued    boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL
);
COMMENT ON TABLE products IS 'Products for sale; the list price is unit_price, what the shop pays is unit_cost';
COMMENT ON COLUMN products.sku IS 'Stock keeping unit, the product code printed on labels';
COMMENT ON COLUMN products.unit_price IS 'Current list price in EUR, VAT included';
COMMENT ON COLUMN products.unit_cost IS 'Purchase price from the supplier in EUR';
COMMENT ON COLUMN products.stock_quantity IS 'Units in the warehouse now';
COMMENT ON COLUMN products.discontinued IS 'True when the product is no longer sold';

CREATE TABLE customers (
    customer_id     integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name      text NOT NULL,
    last_name       text NOT NULL,
    email           text NOT NULL UNIQUE,
    phone           text,
    city            text NOT NULL,
    country         text NOT NULL,
    segment         text NOT NULL CHECK (segment IN ('consumer', 'small_business', 'enterprise')),
    loyalty_points  integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL
);
COMMENT ON TABLE customers IS 'People and companies who have an account with the shop';
COMMENT ON COLUMN customers.email IS 'Login and contact address (personal data)';
COMMENT ON COLUMN customers.phone IS 'Contact phone number, optional (personal data)';
COMMENT ON COLUMN customers.country IS 'ISO 3166-1 alpha-2 country code';
COMMENT ON COLUMN customers.segment IS 'consumer, small_business or enterprise';
COMMENT ON COLUMN customers.created_at IS 'When the account was opened';

CREATE TABLE employees (
    employee_id  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name   text NOT NULL,
    last_name    text NOT NULL,
    email        text NOT NULL UNIQUE,
    title        text NOT NULL,
    department   text NOT NULL,
    manager_id   integer REFERENCES employees (employee_id),
    hired_on     date NOT NULL,
    salary       numeric(10, 2) NOT NULL
);
COMMENT ON TABLE employees IS 'Staff of the shop; sales representatives are linked to the orders they handled';
COMMENT ON COLUMN employees.manager_id IS 'The employee this one reports to; NULL for the managing director';
COMMENT ON COLUMN employees.salary IS 'Yearly gross salary in EUR (confidential)';

CREATE TABLE orders (
    order_id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id       integer NOT NULL REFERENCES customers (customer_id),
    employee_id       integer REFERENCES employees (employee_id),
    status            order_status NOT NULL,
    ordered_at        timestamptz NOT NULL,
    shipping_city     text NOT NULL,
    shipping_country  text NOT NULL,
    discount_pct      numeric(4, 2) NOT NULL DEFAULT 0 CHECK (discount_pct >= 0 AND discount_pct < 100)
);
COMMENT ON TABLE orders IS 'Customer orders; the amounts are in order_lines, the money received in payments';
COMMENT ON COLUMN orders.employee_id IS 'Sales representative who handled the order; NULL for web orders';
COMMENT ON COLUMN orders.status IS 'Where the order is in its life cycle (see type order_status)';
COMMENT ON COLUMN orders.discount_pct IS 'Discount in percent applied to the sum of the order lines';

CREATE TABLE order_lines (
    order_id    integer NOT NULL REFERENCES orders (order_id),
    line_no     smallint NOT NULL,
    product_id  integer NOT NULL REFERENCES products (product_id),
    quantity    integer NOT NULL CHECK (quantity > 0),
    unit_price  numeric(10, 2) NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
COMMENT ON TABLE order_lines IS 'The products in an order, one line each, at the price charged at the time';
COMMENT ON COLUMN order_lines.unit_price IS 'Price per unit charged in this order, in EUR';

CREATE TABLE payments (
    payment_id  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    integer NOT NULL REFERENCES orders (order_id),
    method      payment_method NOT NULL,
    amount      numeric(12, 2) NOT NULL,
    paid_at     timestamptz NOT NULL
);
COMMENT ON TABLE payments IS 'Money received for orders; a refund is a payment with a negative amount';
COMMENT ON COLUMN payments.amount IS 'Amount in EUR; negative for refunds';

CREATE TABLE shipments (
    shipment_id      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id         integer NOT NULL UNIQUE REFERENCES orders (order_id),
    carrier          text NOT NULL,
    tracking_number  text NOT NULL UNIQUE,
    status           shipment_status NOT NULL,
    shipped_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    CHECK (delivered_at IS NULL OR delivered_at >= shipped_at)
);
COMMENT ON TABLE shipments IS 'Parcels sent for orders, at most one per order';
COMMENT ON COLUMN shipments.delivered_at IS 'When the carrier reported delivery; NULL while under way';

CREATE TABLE reviews (
    review_id    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id   integer NOT NULL REFERENCES products (product_id),
    customer_id  integer NOT NULL REFERENCES customers (customer_id),
    rating       smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title        text NOT NULL,
    created_at   timestamptz NOT NULL,
    UNIQUE (product_id, customer_id)
);
COMMENT ON TABLE reviews IS 'Product ratings written by customers, 1 (bad) to 5 stars (excellent)';
COMMENT ON COLUMN reviews.rating IS 'Stars from 1 (bad) to 5 (excellent)';

-- Keys: what each identifier and reference means
COMMENT ON COLUMN categories.category_id IS 'Identifier of the category';
COMMENT ON COLUMN suppliers.supplier_id IS 'Identifier of the supplier';
COMMENT ON COLUMN products.product_id IS 'Identifier of the product';
COMMENT ON COLUMN products.category_id IS 'The category the product is listed in';
COMMENT ON COLUMN products.supplier_id IS 'The supplier the shop buys the product from';
COMMENT ON COLUMN customers.customer_id IS 'Identifier of the customer';
COMMENT ON COLUMN employees.employee_id IS 'Identifier of the employee';
COMMENT ON COLUMN orders.order_id IS 'Identifier of the order, also the order number shown to customers';
COMMENT ON COLUMN orders.customer_id IS 'The customer who placed the order';
COMMENT ON COLUMN order_lines.order_id IS 'The order this line belongs to';
COMMENT ON COLUMN order_lines.line_no IS 'Position of the line in its order, from 1';
COMMENT ON COLUMN order_lines.product_id IS 'The product ordered';
COMMENT ON COLUMN payments.payment_id IS 'Identifier of the payment';
COMMENT ON COLUMN payments.order_id IS 'The order paid (or refunded)';
COMMENT ON COLUMN shipments.shipment_id IS 'Identifier of the shipment';
COMMENT ON COLUMN shipments.order_id IS 'The order shipped';
COMMENT ON COLUMN reviews.review_id IS 'Identifier of the review';
COMMENT ON COLUMN reviews.product_id IS 'The product reviewed';
COMMENT ON COLUMN reviews.customer_id IS 'The customer who wrote the review';

CREATE INDEX ON products (category_id);
CREATE INDEX ON products (supplier_id);
CREATE INDEX ON orders (customer_id);
CREATE INDEX ON orders (ordered_at);
CREATE INDEX ON orders (status);
CREATE INDEX ON order_lines (product_id);
CREATE INDEX ON payments (order_id);
CREATE INDEX ON reviews (customer_id);

-- ---------------------------------------------------------------------------------------------------------------
-- Data
INSERT INTO categories (name, parent_id, description) VALUES
    ('Electronics', NULL, 'Devices and accessories'),
    ('Home & Kitchen', NULL, 'Things for the house'),
    ('Outdoors', NULL, 'Garden, camping and sport'),
    ('Books', NULL, 'Printed books');
INSERT INTO categories (name, parent_id, description)
SELECT c.name, p.category_id, c.description
FROM (VALUES
    ('Phones', 'Electronics', 'Smartphones and phone accessories'),
    ('Computers', 'Electronics', 'Laptops, desktops and peripherals'),
    ('Audio', 'Electronics', 'Headphones and speakers'),
    ('Cookware', 'Home & Kitchen', 'Pots, pans and knives'),
    ('Furniture', 'Home & Kitchen', 'Chairs, tables and shelves'),
    ('Camping', 'Outdoors', 'Tents, sleeping bags and stoves'),
    ('Cycling', 'Outdoors', 'Bicycles and cycling gear'),
    ('Fiction', 'Books', 'Novels and short stories'),
    ('Non-fiction', 'Books', 'History, science and biography')
) AS c (name, parent, description)
JOIN categories p ON p.name = c.parent
ORDER BY c.name;

INSERT INTO suppliers (name, country, contact_email, partner_since)
SELECT 'Supplier ' || (ARRAY['Alpha', 'Bravo', 'Cobalt', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor',
                             'Iris', 'Juniper', 'Kestrel', 'Linden', 'Meridian', 'Nimbus', 'Orchid', 'Pioneer',
                             'Quartz', 'Raven', 'Summit', 'Tundra', 'Umber', 'Vertex', 'Willow', 'Xenon',
                             'Yarrow'])[i] || ' ' || (ARRAY['GmbH', 'Ltd', 'SA', 'BV', 'AB'])[1 + i % 5],
       (ARRAY['DE', 'GB', 'FR', 'NL', 'SE', 'PL', 'IT', 'ES', 'CN', 'US'])[1 + (i * 7) % 10],
       'sales' || i || '@supplier' || i || '.example.com',
       date '2015-01-01' + (i * 97)
FROM generate_series(1, 25) AS i
ORDER BY i;

INSERT INTO products (sku, name, category_id, supplier_id, unit_price, unit_cost, stock_quantity, discontinued,
                      created_at)
SELECT x.sku, x.name, x.category_id, x.supplier_id, x.price, round(x.price * (0.45 + (x.i % 7) * 0.05), 2),
       x.stock, x.discontinued, x.created_at
FROM (SELECT i,
             'SKU-' || lpad(i::text, 5, '0') AS sku,
             (ARRAY['Compact', 'Classic', 'Deluxe', 'Eco', 'Pro', 'Mini', 'Ultra', 'Smart', 'Travel', 'Family'])
                 [1 + floor(random() * 10)::int] || ' ' || k.noun || ' ' || i AS name,
             k.category_id,
             1 + floor(random() * 25)::int AS supplier_id,
             round((k.base * (0.5 + random() * 2))::numeric, 2) AS price,
             floor(random() * 400)::int AS stock,
             random() < 0.06 AS discontinued,
             timestamptz '2022-01-01 09:00+00' + (i * interval '3 days') AS created_at
      FROM generate_series(1, 200) AS i
      JOIN LATERAL (
          SELECT c.category_id,
                 (ARRAY['Phone Case', 'Laptop', 'Headphones', 'Frying Pan', 'Chair', 'Tent', 'Bike Light', 'Novel',
                        'Biography'])[pick.n] AS noun,
                 (ARRAY[20, 900, 120, 45, 150, 220, 30, 15, 25])[pick.n] AS base
          FROM (SELECT 1 + (i % 9) AS n) AS pick
          JOIN categories c ON c.name = (ARRAY['Phones', 'Computers', 'Audio', 'Cookware', 'Furniture', 'Camping',
                                               'Cycling', 'Fiction', 'Non-fiction'])[pick.n]
      ) AS k ON true
      ORDER BY i) AS x
ORDER BY x.i;

INSERT INTO customers (first_name, last_name, email, phone, city, country, segment, loyalty_points, created_at)
SELECT f.first_name, l.last_name,
       lower(f.first_name) || '.' || lower(l.last_name) || i || '@example.com',
       CASE WHEN random() < 0.8 THEN '+' || (30 + floor(random() * 20)::int) || ' 555 ' || lpad(i::text, 4, '0') END,
       g.city, g.country,
       CASE WHEN r < 0.75 THEN 'consumer' WHEN r < 0.93 THEN 'small_business' ELSE 'enterprise' END,
       floor(random() * 5000)::int,
       timestamptz '2022-01-01 00:00+00' + (i * interval '1 day 7 hours') + random() * interval '6 hours'
FROM (SELECT i, random() AS r FROM generate_series(1, 600) AS i) AS s
CROSS JOIN LATERAL (SELECT (ARRAY['Anna', 'Ben', 'Chloe', 'David', 'Emma', 'Felix', 'Greta', 'Hugo', 'Ines',
                                  'Jonas', 'Klara', 'Liam', 'Mia', 'Noah', 'Olivia', 'Paul', 'Rosa', 'Sven',
                                  'Tara', 'Umar'])[1 + (s.i * 7) % 20] AS first_name) AS f
CROSS JOIN LATERAL (SELECT (ARRAY['Berg', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ito',
                                  'Jansen', 'Kowalski', 'Larsen', 'Martin', 'Novak', 'Olsen', 'Petit', 'Rossi',
                                  'Schmidt', 'Torres', 'Virtanen', 'Weber', 'Young', 'Zimmer'])
                                  [1 + (s.i * 11) % 22] AS last_name) AS l
CROSS JOIN LATERAL (SELECT (ARRAY['Berlin', 'Munich', 'Hamburg', 'London', 'Manchester', 'Paris', 'Lyon',
                                  'Amsterdam', 'Rotterdam', 'Stockholm', 'Warsaw', 'Milan', 'Madrid', 'Vienna'])[n]
                               AS city,
                           (ARRAY['DE', 'DE', 'DE', 'GB', 'GB', 'FR', 'FR', 'NL', 'NL', 'SE', 'PL', 'IT', 'ES',
                                  'AT'])[n] AS country
                    FROM (SELECT 1 + floor(random() * 14)::int + 0 * s.i AS n) AS pick) AS g
ORDER BY s.i;

INSERT INTO employees (first_name, last_name, email, title, department, manager_id, hired_on, salary)
VALUES ('Helena', 'Brandt', 'helena.brandt@shop.example.com', 'Managing Director', 'Management', NULL,
        date '2016-03-01', 145000);
INSERT INTO employees (first_name, last_name, email, title, department, manager_id, hired_on, salary)
SELECT d.first_name, d.last_name, lower(d.first_name) || '.' || lower(d.last_name) || '@shop.example.com',
       'Head of ' || d.department, d.department, 1, date '2016-06-01' + d.n * 45, 90000 + d.n * 2500
FROM (VALUES (1, 'Marco', 'Lenz', 'Sales'), (2, 'Julia', 'Kraus', 'Operations'), (3, 'Tomas', 'Vega', 'Finance'),
             (4, 'Sara', 'Holm', 'Customer Service')) AS d (n, first_name, last_name, department)
ORDER BY d.n;
INSERT INTO employees (first_name, last_name, email, title, department, manager_id, hired_on, salary)
SELECT f.first_name, l.last_name,
       lower(f.first_name) || '.' || lower(l.last_name) || i || '@shop.example.com',
       CASE d.department WHEN 'Sales' THEN 'Sales Representative' WHEN 'Operations' THEN 'Warehouse Associate'
            WHEN 'Finance' THEN 'Accountant' ELSE 'Support Agent' END,
       d.department, d.manager_id,
       date '2017-01-01' + i * 53 + floor(random() * 30)::int,
       round((38000 + random() * 30000)::numeric, -2)
FROM generate_series(1, 35) AS i
CROSS JOIN LATERAL (SELECT (ARRAY['Aaron', 'Bella', 'Carl', 'Dana', 'Erik', 'Fiona', 'Gus', 'Hanna', 'Ivan',
                                  'Jana', 'Karl'])[1 + (i * 3) % 11] AS first_name) AS f
CROSS JOIN LATERAL (SELECT (ARRAY['Adler', 'Bauer', 'Claes', 'Dietz', 'Engel', 'Frank', 'Graf', 'Huber',
                                  'Jung'])[1 + (i * 5) % 9] AS last_name) AS l
CROSS JOIN LATERAL (SELECT e.employee_id AS manager_id, e.department
                    FROM employees e
                    WHERE e.title = 'Head of ' || (ARRAY['Sales', 'Sales', 'Operations', 'Finance',
                                                         'Customer Service'])[1 + i % 5]) AS d
ORDER BY i;

-- 4000 orders over 2023-01-01 .. 2024-12-31; recent ones are more often still open.
INSERT INTO orders (customer_id, employee_id, status, ordered_at, shipping_city, shipping_country, discount_pct)
SELECT c.customer_id,
       CASE WHEN random() < 0.35
            THEN (SELECT min(employee_id) FROM employees WHERE title = 'Sales Representative')
                 + floor(random() * (SELECT count(*) FROM employees WHERE title = 'Sales Representative'))::int
       END,
       CASE WHEN s.at > timestamptz '2024-12-20 00:00+00' AND s.r < 0.5 THEN 'pending'
            WHEN s.at > timestamptz '2024-12-10 00:00+00' AND s.r < 0.6 THEN 'paid'
            WHEN s.at > timestamptz '2024-12-01 00:00+00' AND s.r < 0.8 THEN 'shipped'
            WHEN s.r < 0.05 THEN 'cancelled'
            WHEN s.r < 0.08 THEN 'refunded'
            ELSE 'delivered' END::order_status,
       s.at, c.city, c.country,
       CASE WHEN random() < 0.2 THEN (ARRAY[5, 10, 15, 20])[1 + floor(random() * 4)::int] ELSE 0 END
FROM (SELECT i,
             random() AS r,
             1 + floor(power(random(), 1.3) * 600)::int AS customer_id,
             timestamptz '2023-01-01 08:00+00' + (i * interval '4 hours 22 minutes') + random() * interval '4 hours'
                 AS at
      FROM generate_series(1, 4000) AS i) AS s
JOIN customers c ON c.customer_id = s.customer_id
ORDER BY s.i;

-- One to five lines per order, distinct products, at a price near today's list price.
INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price)
SELECT x.order_id, x.line_no, x.product_id,
       1 + floor(power(random(), 3) * 6)::int,
       round(p.unit_price * (0.9 + random()::numeric * 0.15), 2)
FROM (SELECT o.order_id, g.line_no,
             1 + ((o.order_id * 37 + g.line_no * 53 + floor(random() * 40)::int) % 200) AS product_id
      FROM orders o
      CROSS JOIN LATERAL generate_series(1, 1 + (o.order_id * 7 + floor(random() * 3)::int) % 5) AS g (line_no)
     ) AS x
JOIN products p ON p.product_id = x.product_id
ORDER BY x.order_id, x.line_no;

-- A payment for every order past 'pending' (not cancelled), a refund for refunded ones.
INSERT INTO payments (order_id, method, amount, paid_at)
SELECT o.order_id,
       (ARRAY['card', 'card', 'card', 'paypal', 'paypal', 'bank_transfer', 'gift_card'])
           [1 + floor(random() * 7)::int]::payment_method,
       round(t.subtotal * (1 - o.discount_pct / 100), 2),
       o.ordered_at + random() * interval '2 days'
FROM orders o
JOIN (SELECT order_id, sum(quantity * unit_price) AS subtotal FROM order_lines GROUP BY order_id) AS t
    ON t.order_id = o.order_id
WHERE o.status IN ('paid', 'shipped', 'delivered', 'refunded')
ORDER BY o.order_id;
INSERT INTO payments (order_id, method, amount, paid_at)
SELECT p.order_id, p.method, -p.amount, p.paid_at + interval '12 days' + random() * interval '10 days'
FROM payments p
JOIN orders o ON o.order_id = p.order_id
WHERE o.status = 'refunded'
ORDER BY p.payment_id;

INSERT INTO shipments (order_id, carrier, tracking_number, status, shipped_at, delivered_at)
SELECT o.order_id, c.carrier,
       upper(left(c.carrier, 3)) || lpad((o.order_id * 7919 % 1000000)::text, 6, '0') || lpad(o.order_id::text, 5, '0'),
       CASE WHEN o.status = 'shipped' THEN 'in_transit'
            WHEN o.status = 'refunded' THEN 'returned'
            ELSE 'delivered' END::shipment_status,
       s.shipped_at,
       CASE WHEN o.status = 'shipped' THEN NULL ELSE s.shipped_at + (1 + floor(random() * 6)::int) * interval '1 day'
       END
FROM orders o
CROSS JOIN LATERAL (SELECT (ARRAY['DHL', 'UPS', 'DPD', 'PostNL', 'GLS'])[1 + floor(random() * 5)::int] AS carrier
                    ) AS c
CROSS JOIN LATERAL (SELECT o.ordered_at + interval '1 day' + random() * interval '2 days' AS shipped_at) AS s
WHERE o.status IN ('shipped', 'delivered', 'refunded')
ORDER BY o.order_id;

-- Reviews by customers of products they ordered; ratings lean positive, and some products are worse.
INSERT INTO reviews (product_id, customer_id, rating, title, created_at)
SELECT DISTINCT ON (l.product_id, o.customer_id)
       l.product_id, o.customer_id, q.rating,
       (ARRAY['Terrible', 'Disappointing', 'It is fine', 'Very good', 'Excellent'])[q.rating],
       o.ordered_at + interval '5 days' + random() * interval '20 days'
FROM orders o
JOIN order_lines l ON l.order_id = o.order_id
CROSS JOIN LATERAL (SELECT greatest(1, least(5, round(4.1 - (l.product_id % 11 = 0)::int * 1.8
                                                        + (random() - 0.5) * 3)::int)) AS rating) AS q
WHERE o.status = 'delivered' AND (o.order_id * 31 + l.line_no) % 4 = 0
ORDER BY l.product_id, o.customer_id, o.ordered_at;

-- Loyalty points follow spending.
UPDATE customers c SET loyalty_points = coalesce(t.points, 0)
FROM (SELECT o.customer_id, floor(sum(p.amount))::int AS points
      FROM orders o JOIN payments p ON p.order_id = o.order_id
      GROUP BY o.customer_id) AS t
WHERE t.customer_id = c.customer_id;
UPDATE customers SET loyalty_points = 0 WHERE loyalty_points < 0;

-- ---------------------------------------------------------------------------------------------------------------
-- Views
CREATE VIEW order_totals AS
SELECT o.order_id, o.customer_id, o.status, o.ordered_at,
       count(l.line_no)::int AS line_count,
       sum(l.quantity)::int AS item_count,
       sum(l.quantity * l.unit_price) AS subtotal,
       round(sum(l.quantity * l.unit_price) * (1 - o.discount_pct / 100), 2) AS total
FROM orders o
JOIN order_lines l ON l.order_id = o.order_id
GROUP BY o.order_id;
COMMENT ON VIEW order_totals IS 'One row per order with its number of lines and items, subtotal and total after discount (EUR)';

CREATE VIEW monthly_revenue AS
SELECT date_trunc('month', p.paid_at)::date AS month, sum(p.amount) AS revenue, count(DISTINCT p.order_id) AS orders
FROM payments p
GROUP BY 1;
COMMENT ON VIEW monthly_revenue IS 'Money received per calendar month (UTC), refunds subtracted, in EUR';

ANALYZE categories, suppliers, products, customers, employees, orders, order_lines, payments, shipments, reviews;
