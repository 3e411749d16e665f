package dev.pgagent.db.postgres.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A non-pooling data source over pgjdbc's {@link PGSimpleDataSource} whose {@code toString} shows the URL and user
 * but never the password. Thread-safe once built.
 */
public final class CredentialDataSource implements DataSource {
    private final PGSimpleDataSource delegate;
    private final String description;

    /** Wraps a configured pgjdbc data source; {@code description} is what {@link #toString()} shows. */
    public CredentialDataSource(PGSimpleDataSource delegate, String description) {
        this.delegate = Objects.requireNonNull(delegate, "delegate == null");
        this.description = Objects.requireNonNull(description, "description == null");
    }

    @Override
    public Connection getConnection() throws SQLException {
        return delegate.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return delegate.getConnection(username, password);
    }

    @Override
    public @Nullable PrintWriter getLogWriter() {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(@Nullable PrintWriter out) {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return description;
    }
}
