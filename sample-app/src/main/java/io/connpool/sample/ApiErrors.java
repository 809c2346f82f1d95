package io.connpool.sample;

import io.connpool.AcquireTimeoutException;
import io.connpool.NoServerAvailableException;
import io.connpool.PoolClosedException;
import io.connpool.RateLimitedException;
import java.io.IOException;
import java.net.ProtocolException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** What each connpool failure means to an HTTP caller. */
@RestControllerAdvice
public class ApiErrors {

    /** Every server is down: the backend is unavailable; the pool retries in the background. */
    @ExceptionHandler(NoServerAvailableException.class)
    ProblemDetail noServer(NoServerAvailableException ex) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, ex);
    }

    /** The pool was busy for the whole acquire timeout: overloaded, try again shortly. */
    @ExceptionHandler(AcquireTimeoutException.class)
    ProblemDetail timeout(AcquireTimeoutException ex) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, ex);
    }

    /** The per-server request rate is used up: the caller should slow down. */
    @ExceptionHandler(RateLimitedException.class)
    ProblemDetail rateLimited(RateLimitedException ex) {
        return problem(HttpStatus.TOO_MANY_REQUESTS, ex);
    }

    /** The application is shutting down. */
    @ExceptionHandler(PoolClosedException.class)
    ProblemDetail closed(PoolClosedException ex) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, ex);
    }

    /** The server answered something we do not understand. */
    @ExceptionHandler(ProtocolException.class)
    ProblemDetail protocol(ProtocolException ex) {
        return problem(HttpStatus.BAD_GATEWAY, ex);
    }

    /** The connection broke twice in a row, or a read timed out. */
    @ExceptionHandler(IOException.class)
    ProblemDetail io(IOException ex) {
        return problem(HttpStatus.BAD_GATEWAY, ex);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badRequest(IllegalArgumentException ex) {
        return problem(HttpStatus.BAD_REQUEST, ex);
    }

    private static ProblemDetail problem(HttpStatus status, Exception ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, ex.getMessage());
        problem.setTitle(ex.getClass().getSimpleName());
        return problem;
    }
}
