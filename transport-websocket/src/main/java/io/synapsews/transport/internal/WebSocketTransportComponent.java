package io.synapsews.transport.internal;

import java.util.List;

import io.synapsews.transport.spi.ConnectionListener;
import io.synapsews.transport.spi.ConnectionListeners;
import io.synapsews.transport.spi.WebSocketTransport;
import org.apache.axis2.transport.TransportSender;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.wso2.carbon.websocket.transport.WebsocketTransportSender;

/**
 * The transport bundle's Declarative Services component: registers {@link WebSocketTransport} and adds
 * every {@link ConnectionListener} service to the runtime's listeners while it is registered.
 */
@Component(name = "org.wso2.carbon.websocket.transport", immediate = true, service = WebSocketTransport.class,
        property = {"transport.protocols=ws", "transport.protocols=wss",
                "transport.sender.class=org.wso2.carbon.websocket.transport.WebsocketTransportSender"})
public class WebSocketTransportComponent implements WebSocketTransport {

    private static final Log log = LogFactory.getLog(WebSocketTransportComponent.class);

    @Activate
    void activate() {
        log.info("WebSocket transport service registered (ws, wss)");
    }

    @Deactivate
    void deactivate() {
        log.info("WebSocket transport service unregistered");
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addConnectionListener(ConnectionListener listener) {
        ConnectionListeners.add(listener);
    }

    void removeConnectionListener(ConnectionListener listener) {
        ConnectionListeners.remove(listener);
    }

    @Override
    public List<String> protocols() {
        return List.of("ws", "wss");
    }

    @Override
    public TransportSender newSender() {
        return new WebsocketTransportSender();
    }
}
