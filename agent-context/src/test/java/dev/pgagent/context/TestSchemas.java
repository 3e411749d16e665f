package dev.pgagent.context;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.EnumType;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Schema models built in code for the unit tests. */
final class TestSchemas {
    private TestSchemas() {}

    /** Builds one table: columns as "name type", "name type pk" or "name type -> schema.table". */
    static TableInfo table(String schema, String name, @Nullable String comment, String... columns) {
        List<ColumnInfo> cols = new ArrayList<>();
        List<String> pk = new ArrayList<>();
        List<ForeignKey> fks = new ArrayList<>();
        for (String c : columns) {
            String[] p = c.split(" ");
            String colComment = null;
            int hash = c.indexOf(" # ");
            if (hash >= 0) {
                colComment = c.substring(hash + 3);
                p = c.substring(0, hash).split(" ");
            }
            cols.add(new ColumnInfo(p[0], p[1], true, null, null, null, colComment));
            if (p.length > 2 && p[2].equals("pk")) {
                pk.add(p[0]);
            }
            if (p.length > 3 && p[2].equals("->")) {
                String[] r = p[3].split("\\.");
                fks.add(new ForeignKey(name + "_" + p[0] + "_fkey", List.of(p[0]), r[0], r[1], List.of("id")));
            }
        }
        return new TableInfo(
                schema, name, TableKind.TABLE, cols, pk, List.of(), fks, List.of(), List.of(), comment, -1);
    }

    /** A small multi-domain schema with look-alike tables in different schemas and a many-to-many bridge. */
    static SchemaModel shop() {
        List<TableInfo> t = new ArrayList<>();
        t.add(table(
                "crm",
                "customers",
                "People who buy in the web shop",
                "id bigint pk",
                "first_name text",
                "last_name text",
                "email text",
                "city text"));
        t.add(table(
                "billing",
                "customers",
                "Billing accounts of SaaS subscribers",
                "id bigint pk",
                "billing_email text",
                "vat_number text"));
        t.add(table(
                "billing",
                "invoices",
                "Invoices issued to subscribers",
                "id bigint pk",
                "customer_id bigint -> billing.customers",
                "status billing.invoice_status",
                "due_on date",
                "total numeric(12,2)"));
        t.add(table(
                "legacy",
                "customers_old",
                "Customers of the old system",
                "id bigint",
                "first_name text",
                "email text"));
        t.add(table(
                "sales",
                "orders",
                "Orders placed in the shop",
                "id bigint pk",
                "customer_id bigint -> crm.customers",
                "status sales.order_status",
                "ordered_at timestamptz",
                "total_amt numeric(12,2)"));
        t.add(table(
                "sales",
                "order_items",
                "Lines of an order",
                "id bigint pk",
                "order_id bigint -> sales.orders",
                "product_id bigint -> catalog.products",
                "qty int",
                "unit_price numeric(12,2)"));
        t.add(table(
                "catalog",
                "products",
                "Products we sell",
                "id bigint pk",
                "name text",
                "category text # e.g. shoes, shirts",
                "list_price numeric(12,2)"));
        t.add(table(
                "purchasing",
                "orders",
                "Purchase orders sent to suppliers",
                "id bigint pk",
                "supplier_id bigint -> purchasing.suppliers",
                "ordered_on date"));
        t.add(table(
                "purchasing", "suppliers", "Companies we buy goods from", "id bigint pk", "name text", "country text"));
        t.add(table(
                "hr",
                "employees",
                "Staff",
                "id bigint pk",
                "full_name text",
                "hireDate date",
                "deptId bigint -> hr.departments"));
        t.add(table("hr", "departments", "Organizational units", "id bigint pk", "name text"));
        for (int i = 0; i < 30; i++) {
            t.add(table(
                    "misc",
                    "lookup_" + i,
                    "Lookup list number " + i,
                    "id bigint pk",
                    "name text",
                    "created_at timestamptz"));
        }
        List<EnumType> enums = List.of(
                new EnumType("sales", "order_status", List.of("pending", "paid", "shipped", "delivered", "cancelled")),
                new EnumType("billing", "invoice_status", List.of("draft", "open", "paid", "void")));
        return new SchemaModel(t, enums, Instant.EPOCH);
    }

    /** A big schema: {@code n} tables of 12 columns with comments, chained by foreign keys. */
    static SchemaModel big(int n) {
        List<TableInfo> t = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> cols = new ArrayList<>();
            cols.add("id bigint pk");
            if (i > 0) {
                cols.add("parent_" + (i - 1) + "_id bigint -> s" + ((i - 1) % 7) + ".entity_" + (i - 1));
            }
            for (int c = 0; c < 10; c++) {
                cols.add("attribute_" + c + "_of_entity_" + i + " text # a long column comment that goes on and on "
                        + "about what the attribute means, with many words " + c);
            }
            t.add(table(
                    "s" + (i % 7),
                    "entity_" + i,
                    "Entity " + i + " holding things about orders and customers",
                    cols.toArray(new String[0])));
        }
        return new SchemaModel(t, List.of(), Instant.EPOCH);
    }

    /**
     * Several applications in one database, each in its own schema with no foreign key between schemas (as in a
     * catalog of public text-to-SQL databases): look-alike tables ({@code customers}, {@code student}) in several.
     */
    static SchemaModel applications() {
        List<TableInfo> t = new ArrayList<>();
        t.add(table("pets_1", "student", null, "stuid numeric pk", "lname text", "fname text", "age numeric"));
        t.add(table("pets_1", "has_pet", null, "stuid numeric -> pets_1.student", "petid numeric -> pets_1.pets"));
        t.add(table("pets_1", "pets", null, "petid numeric pk", "pettype text", "pet_age numeric", "weight numeric"));
        t.add(table(
                "college",
                "student",
                null,
                "id numeric pk",
                "first_name text",
                "last_name text",
                "dept_id numeric -> college.department"));
        t.add(table("college", "department", null, "id numeric pk", "name text", "budget numeric"));
        t.add(table("college", "course", null, "id numeric pk", "title text", "credits numeric"));
        t.add(table("shop", "customers", null, "id numeric pk", "name text", "city text"));
        t.add(table(
                "shop", "orders", null, "id numeric pk", "customer_id numeric -> shop.customers", "order_date text"));
        t.add(table(
                "shop",
                "order_items",
                null,
                "order_id numeric -> shop.orders",
                "product_id numeric -> shop.products",
                "quantity numeric"));
        t.add(table("shop", "products", null, "id numeric pk", "product_name text", "price numeric"));
        t.add(table("bank", "customers", null, "id numeric pk", "name text", "city text"));
        t.add(table(
                "bank", "accounts", null, "id numeric pk", "customer_id numeric -> bank.customers", "balance numeric"));
        t.add(table(
                "world",
                "country",
                null,
                "code text pk",
                "name text",
                "continent text",
                "governmentform text",
                "population numeric"));
        t.add(table(
                "world",
                "countrylanguage",
                null,
                "countrycode text -> world.country",
                "language text",
                "isofficial text"));
        t.add(table(
                "world",
                "city",
                null,
                "id numeric pk",
                "name text",
                "countrycode text -> world.country",
                "district text"));
        for (int i = 0; i < 20; i++) {
            t.add(table("app_" + i, "customers", null, "id numeric pk", "name text", "city text"));
            t.add(table("app_" + i, "staff", null, "id numeric pk", "name text", "form text", "government text"));
        }
        return new SchemaModel(t, List.of(), Instant.EPOCH);
    }
}
