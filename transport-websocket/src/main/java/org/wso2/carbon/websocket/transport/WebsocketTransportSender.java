package org.wso2.carbon.websocket.transport;

import io.synapsews.transport.internal.TargetSender;
import org.apache.axis2.AxisFault;
import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.context.MessageContext;
import org.apache.axis2.description.TransportOutDescription;
import org.apache.axis2.transport.OutTransportInfo;
import org.apache.axis2.transport.base.AbstractTransportSender;

/**
 * The {@code ws} and {@code wss} transport sender, under the class name administrators already
 * put in {@code axis2.xml}. It relays messages to WebSocket backends; the work is done by
 * {@link TargetSender}.
 */
public class WebsocketTransportSender extends AbstractTransportSender {

    private TargetSender sender;

    @Override
    public void init(ConfigurationContext cfgCtx, TransportOutDescription transportOut) throws AxisFault {
        super.init(cfgCtx, transportOut);
        sender = new TargetSender(cfgCtx, transportOut);
    }

    @Override
    public void sendMessage(MessageContext msgCtx, String targetEPR, OutTransportInfo outTransportInfo) throws AxisFault {
        if (targetEPR == null) {
            throw new AxisFault("WebSocket transport sender '" + getTransportName() + "' needs a backend address");
        }
        sender.send(msgCtx, targetEPR);
    }

    @Override
    public void stop() {
        if (sender != null) {
            sender.stop();
        }
        super.stop();
    }
}
