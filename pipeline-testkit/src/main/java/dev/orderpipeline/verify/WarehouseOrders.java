package dev.orderpipeline.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/** Reads the live (not deleted) orders of a loaded table, for comparison with {@link ExpectedOrders}. */
public final class WarehouseOrders {
    private WarehouseOrders() {
    }

    /** {@code qualifiedTable} is SQL text built by the caller from validated identifiers. */
    public static Map<Long, OrderState> live(Connection connection, String qualifiedTable) throws SQLException {
        Map<Long, OrderState> live = new HashMap<>();
        String query = "SELECT \"ORDERID\", \"ITEMID\", \"ORDERUNITS\", \"ADDRESS_CITY\", \"ADDRESS_STATE\", "
                + "\"ADDRESS_ZIPCODE\" FROM " + qualifiedTable + " WHERE NOT \"_DELETED\"";
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                OrderState order = new OrderState(rs.getLong(1), rs.getString(2), rs.getDouble(3), rs.getString(4),
                        rs.getString(5), rs.getLong(6));
                if (live.put(order.orderid(), order) != null) {
                    throw new IllegalStateException("order " + order.orderid() + " appears twice in " + qualifiedTable);
                }
            }
        }
        return live;
    }
}
