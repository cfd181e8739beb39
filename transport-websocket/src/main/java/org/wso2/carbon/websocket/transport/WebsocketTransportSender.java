package org.wso2.carbon.websocket.transport;

import io.synapsews.transport.internal.TargetSender;
import org.apache.axis2.AxisFault;
import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.context.MessageContext;
import org.apache.axis2.description.TransportOutDescription;
import org.apache.axis2.transport.OutTransportInfo;
import org.apache.axis2.transport.base.AbstractTransportSender;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The {@code ws} and {@code wss} transport sender, under the class name administrators already
 * put in {@code axis2.xml}. It relays messages to WebSocket backends; the work is done by
 * {@link TargetSender}.
 */
public class WebsocketTransportSender extends AbstractTransportSender {

    private static final Log log = LogFactory.getLog(WebsocketTransportSender.class);

    private TargetSender sender;
    private String initFailure = "init was never called";

    @Override
    public void init(ConfigurationContext cfgCtx, TransportOutDescription transportOut) throws AxisFault {
        super.init(cfgCtx, transportOut);
        try {
            sender = new TargetSender(cfgCtx, transportOut);
        } catch (AxisFault e) {
            // Axis2 reports a failed sender at INFO only: say it where administrators look
            initFailure = e.getMessage();
            log.error("transport sender '" + transportOut.getName() + "' not started: " + e.getMessage());
            throw e;
        }
    }

    @Override
    public void sendMessage(MessageContext msgCtx, String targetEPR, OutTransportInfo outTransportInfo) throws AxisFault {
        if (targetEPR == null) {
            throw new AxisFault("WebSocket transport sender '" + getTransportName() + "' needs a backend address");
        }
        TargetSender s = sender;
        if (s == null) {
            throw new AxisFault("WebSocket transport sender '" + getTransportName() + "' did not start: " + initFailure);
        }
        s.send(msgCtx, targetEPR);
    }

    @Override
    public void stop() {
        if (sender != null) {
            sender.stop();
        }
        super.stop();
    }
}
